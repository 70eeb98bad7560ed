"""Printing voter cards as a background job on a real worker, laid out by two forked processes: every
card once, in order, each sheet with its cards' QR codes that decode to cards the platform signed."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from core.documents.models import Document
from core.jobs import start_job
from django.db import transaction
from PIL import Image

from polling import cards
from polling.models import VoterCard

from .factory import polling_day

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_batch_of_22_sheets_in_two_processes(demo: Any, celery_worker: Any, tmp_path: Path, settings: Any) -> None:
    import zxingcpp

    demo.reset()
    day = polling_day(demo.community, voters=170)
    staff = demo.village_staff
    cards.ensure_cards(staff, day.election)
    with transaction.atomic():
        job = start_job("polling.voter_cards", user=staff, unit=day.election.unit, params={"election": day.election.pk})
    job = celery_worker.wait_for(job, timeout=300)
    assert job.status == "done", job.error
    assert job.result["cards"] == 170 and job.result["pages"] == 22
    doc = Document.objects.get(pk=job.result["document"])
    assert doc.pages == 22 and VoterCard.objects.filter(election=day.election, document=doc).count() == 170
    text = subprocess.run(["pdftotext", doc.file.path, "-"], capture_output=True, text=True, check=True).stdout
    numbers = [line.strip() for line in text.splitlines() if line.strip().startswith("No. ")]
    assert len(numbers) == 170 and len(set(numbers)) == 170  # every card once
    tokens = set(VoterCard.objects.filter(election=day.election).values_list("token", flat=True))
    for page in (1, 12, 22):  # the first part, the parent's part, the last sheet
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), doc.file.path,
                        str(tmp_path / f"p{page}")], check=True)
        img = Image.open(next(tmp_path.glob(f"p{page}*.png")))
        found = [r.text for r in zxingcpp.read_barcodes(img) if r.text.startswith("XJ1.")]
        assert found and all(cards.token_of(t) in tokens for t in found), page
        # the election committee's seal in colour on the first card of the sheet (24 mm at 33/24 mm)
        rgb = img.convert("RGB")
        px = 150 / 25.4
        left, top = round((10 + 6 + 33) * px), round((12 + 4 + 24) * px)
        box = rgb.crop((left, top, left + round(24 * px), top + round(24 * px)))
        red = sum(1 for r, g, b in box.getdata() if r > 180 and g < 90 and b < 90)
        assert red > 500, (page, red)
