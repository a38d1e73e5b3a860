"""Measures the HTTP API through boto3 (no peer: SES is not local): sequential
GetEmailIdentity and CreateEmailIdentity (one durable SQLite commit each).
Usage: /usr/bin/python3 scripts/measure_api.py build/rebound   (uses a fresh temp dir)"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config
B = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix="rebound-measure-")
os.chdir(WORK)
open("r.conf", "w").write("store = sqlite:r.db\napi.listen = 127.0.0.1:0\nlog.level = warning\n")
run = lambda *a: subprocess.run([B, *a, "--config", "r.conf"], capture_output=True, text=True, check=True).stdout
run("account", "create", "acme")
out = run("account", "keys", "create", "acme")
kid = re.search(r"access key id: (\S+)", out)[1]; sec = re.search(r"secret access key: (\S+)", out)[1]
p = subprocess.Popen([B, "api", "--config", "r.conf"], stdout=subprocess.PIPE, text=True)
port = p.stdout.readline().strip().rsplit(":", 1)[1]
c = boto3.client("sesv2", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                 aws_access_key_id=kid, aws_secret_access_key=sec)
c.create_email_identity(EmailIdentity="example.test")
N = 1000
t = time.perf_counter()
for _ in range(N):
    c.get_email_identity(EmailIdentity="example.test")
dt = time.perf_counter() - t
print(f"GetEmailIdentity via boto3, sequential: {N} requests in {dt:.2f} s = {N/dt:.0f} req/s, {dt/N*1e3:.2f} ms each")
t = time.perf_counter()
for i in range(200):
    c.create_email_identity(EmailIdentity=f"d{i}.example.test")
dt = time.perf_counter() - t
print(f"CreateEmailIdentity via boto3 (durable commit each): 200 in {dt:.2f} s = {dt/200*1e3:.2f} ms each")
os.kill(p.pid, signal.SIGTERM); p.wait()
shutil.rmtree(WORK)
