"""The in-repo yardsticks must be byte-identical to the team's shared/ originals."""
import filecmp
import os
import pathlib

import pytest

SRC = pathlib.Path(os.environ.get("REBOUND_SRC", pathlib.Path(__file__).parents[2]))
COPY = SRC / "tests" / "yardsticks"
ORIGINAL = SRC.parent / "shared"


@pytest.mark.skipif(not (ORIGINAL / "vectors").is_dir(), reason="no ../shared beside this checkout")
@pytest.mark.parametrize("folder", ["vectors", "spf", "bounces", "testbed-samples"])
def test_copy_is_verbatim(folder):
    original_files = sorted(p.relative_to(ORIGINAL) for p in (ORIGINAL / folder).rglob("*") if p.is_file())
    copy_files = sorted(p.relative_to(COPY) for p in (COPY / folder).rglob("*") if p.is_file())
    assert copy_files == original_files, f"file lists differ under {folder}"
    for rel in original_files:
        assert filecmp.cmp(ORIGINAL / rel, COPY / rel, shallow=False), f"{rel} differs from ../shared"


def test_vectors_present():
    assert (COPY / "vectors" / "srs-postsrsd.tsv").stat().st_size > 0
    assert (COPY / "vectors" / "srs-postsrsd2-socketmap.tsv").stat().st_size > 0
