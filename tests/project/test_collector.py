"""``paused_collection``: the cyclic collector is off inside, back as it was after."""

import gc
import threading

import pytest

from assetlife.collector import paused_collection
from inventory import lifecycle
from inventory.choices import Source, Status
from inventory.lifecycle import batch
from tests.factories import AssetFactory


@pytest.fixture(autouse=True)
def _collector_left_running():
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_pauses_and_resumes():
    gc.enable()
    with paused_collection():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_blocks_resume_only_when_the_outermost_ends():
    gc.enable()
    with paused_collection():
        with paused_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumes_after_an_error():
    gc.enable()
    with pytest.raises(ValueError), paused_collection():
        raise ValueError("refused")
    assert gc.isenabled()


def test_leaves_a_collector_that_was_off_off():
    gc.disable()
    with paused_collection():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_threads_share_the_pause():
    """A thread that ends its block first does not resume collection under another's."""
    gc.enable()
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def other():
        with paused_collection():
            inside.set()
            release.wait(5)
        seen["after_other"] = gc.isenabled()

    thread = threading.Thread(target=other)
    with paused_collection():
        thread.start()
        assert inside.wait(5)
        release.set()
        thread.join(5)
        assert seen["after_other"] is False  # this block is still running
    assert gc.isenabled()


def test_a_batch_of_transitions_runs_with_the_collector_paused(monkeypatch, db, when):
    """The lifecycle's batch path is where the pause pays (see the module's note)."""
    states = []
    real = batch._write_changes

    def spy(rows):
        states.append(gc.isenabled())
        return real(rows)

    monkeypatch.setattr(batch, "_write_changes", spy)
    gc.enable()
    asset = AssetFactory(status=Status.IN_STOCK)
    lifecycle.transition(asset, to=Status.DEPLOYED, occurred_at=when, source=Source.ADMIN)
    assert states == [False]
    assert gc.isenabled()
