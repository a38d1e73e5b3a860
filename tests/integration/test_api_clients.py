"""The SES v2-compatible HTTP API driven by the real clients: the AWS CLI (Debian awscli) and
boto3, against `rebound api` on a loopback port, authenticated with SigV4 keys that
`rebound account keys create` issued. (send-email needs the submission role: not here yet.)"""
import base64
import hashlib
import hmac
import json
import subprocess
import urllib.error
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from rbhelpers_api import Api, aws_env

AWS = "/usr/bin/aws"


@pytest.fixture
def api(tmp_path):
    with Api(tmp_path) as a:
        yield a


def aws(tmp_path, api, key, *args):
    r = subprocess.run([AWS, "sesv2", *args, "--endpoint-url", api.url], capture_output=True,
                       text=True, timeout=60, env=aws_env(tmp_path, key[0], key[1]))
    return r


def client(api, key):
    return boto3.client("sesv2", endpoint_url=api.url, region_name="us-east-1",
                        aws_access_key_id=key[0], aws_secret_access_key=key[1],
                        config=Config(retries={"max_attempts": 1}))


def error_code(exc):
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"][
        "HTTPStatusCode"]


def test_aws_cli(tmp_path, api):
    key = api.account_with_key("acme")[:2]
    api.start()
    r = aws(tmp_path, api, key, "create-email-identity", "--email-identity", "example.test")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["IdentityType"] == "DOMAIN"
    r = aws(tmp_path, api, key, "put-email-identity-mail-from-attributes", "--email-identity",
            "example.test", "--mail-from-domain", "bounce.example.test",
            "--behavior-on-mx-failure", "REJECT_MESSAGE")
    assert r.returncode == 0, r.stderr
    r = aws(tmp_path, api, key, "get-email-identity", "--email-identity", "example.test")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["VerificationStatus"] == "PENDING"
    assert got["MailFromAttributes"] == {"MailFromDomain": "bounce.example.test",
                                         "MailFromDomainStatus": "PENDING",
                                         "BehaviorOnMxFailure": "REJECT_MESSAGE"}
    r = aws(tmp_path, api, key, "list-email-identities")
    assert json.loads(r.stdout)["EmailIdentities"] == [
        {"IdentityType": "DOMAIN", "IdentityName": "example.test", "SendingEnabled": False,
         "VerificationStatus": "PENDING"}]
    r = aws(tmp_path, api, key, "put-email-identity-mail-from-attributes", "--email-identity",
            "example.test", "--mail-from-domain", "example.test")
    assert r.returncode == 254
    assert "An error occurred (BadRequestException) when calling the " \
           "PutEmailIdentityMailFromAttributes operation: MAIL FROM domain 'example.test' must " \
           "be a subdomain of example.test, not the identity itself" in r.stderr


def test_boto3_identities_and_errors(tmp_path, api):
    key = api.account_with_key("acme")[:2]
    other = api.account_with_key("other")[:2]
    api.start()
    ses = client(api, key)
    assert ses.create_email_identity(EmailIdentity="example.test")["IdentityType"] == "DOMAIN"
    with pytest.raises(ClientError) as e:
        ses.create_email_identity(EmailIdentity="example.test")
    assert error_code(e) == ("AlreadyExistsException", 400)
    with pytest.raises(ClientError) as e:
        client(api, other).get_email_identity(EmailIdentity="example.test")
    assert error_code(e) == ("NotFoundException", 404)
    with pytest.raises(ClientError) as e:
        client(api, other).create_email_identity(EmailIdentity="example.test")
    assert error_code(e) == ("AlreadyExistsException", 400)
    assert "belongs to another account" in str(e.value)
    with pytest.raises(ClientError) as e:
        ses.put_email_identity_mail_from_attributes(EmailIdentity="example.test",
                                                    MailFromDomain="mail.elsewhere.test")
    assert error_code(e) == ("BadRequestException", 400)
    assert "is not a subdomain of example.test" in str(e.value)
    with pytest.raises(ClientError) as e:
        client(api, (key[0], other[1])).list_email_identities()
    assert error_code(e) == ("SignatureDoesNotMatch", 403)
    with pytest.raises(ClientError) as e:
        client(api, ("RBAKAAAAAAAAAAAAAAAA", key[1])).list_email_identities()
    assert error_code(e) == ("UnrecognizedClientException", 403)
    ses.delete_email_identity(EmailIdentity="example.test")
    with pytest.raises(ClientError) as e:
        ses.get_email_identity(EmailIdentity="example.test")
    assert error_code(e) == ("NotFoundException", 404)
    assert ses.get_account()["SendingEnabled"] is True


def signed(api, key, method, path, body):
    """A request signed by botocore's own SigV4 signer, sent with urllib: bodies boto3 would
    never send (malformed JSON, oversized)."""
    req = botocore.awsrequest.AWSRequest(method=method, url=api.url + path, data=body,
                                         headers={"Content-Type": "application/json"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(*key), "ses",
                            "us-east-1").add_auth(req)
    prepared = req.prepare()
    r = urllib.request.Request(prepared.url, data=body, method=method,
                               headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_malformed_and_oversized_bodies(tmp_path, api):
    key = api.account_with_key("acme")[:2]
    api.start()
    status, headers, body = signed(api, key, "POST", "/v2/email/identities", b'{"EmailIdentity":')
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "BadRequestException"
    got = json.loads(body)
    assert got["__type"] == "BadRequestException"
    assert got["message"].startswith("the request body is not valid JSON")
    status, _, body = signed(api, key, "POST", "/v2/email/identities",
                             b'{"EmailIdentity":"' + b"a" * 70000 + b'"}')
    assert status == 413
    assert json.loads(body)["message"] == "the request body is too large"
    # the server still serves afterwards
    assert client(api, key).list_email_identities()["EmailIdentities"] == []


def test_address_link_and_smtp_password(tmp_path, api):
    key_id, secret, smtp = api.account_with_key("acme")
    api.start()
    ses = client(api, (key_id, secret))
    ses.create_email_identity(EmailIdentity="alice@example.test")
    assert ses.get_email_identity(EmailIdentity="alice@example.test")[
        "VerificationStatus"] == "PENDING"
    api.write(f"verify.link_base_url = {api.url}\n")
    out = api.cli("identity", "verify-link", "alice@example.test")
    link = out.split(": ", 1)[1].strip()
    assert link.startswith(api.url + "/v2/rebound/verify/")
    with urllib.request.urlopen(link, timeout=10) as resp:
        assert (resp.status, resp.read()) == (200, b"alice@example.test is verified.\n")
    got = ses.get_email_identity(EmailIdentity="alice@example.test")
    assert got["VerificationStatus"] == "SUCCESS"
    assert got["VerifiedForSendingStatus"] is True
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(link, timeout=10)
    assert e.value.code == 404
    # AWS's documented SMTP password derivation, computed here independently
    sig = ("AWS4" + secret).encode()
    for msg in ("11111111", "us-east-1", "ses", "aws4_request", "SendRawEmail"):
        sig = hmac.new(sig, msg.encode(), hashlib.sha256).digest()
    assert smtp == base64.b64encode(b"\x04" + sig).decode()
