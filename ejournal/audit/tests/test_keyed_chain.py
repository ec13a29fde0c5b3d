"""The attacks an unkeyed chain let through: someone who can write to the database but
does not hold the audit key edits a row and re-seals the rest, deletes a row and
renumbers the rest, or cuts the tail off and moves the head back. The keyed chain and the
checkpoints outside the database catch each; rotation keeps old events verifiable."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from ejournal.audit import checkpoints, keys
from ejournal.audit import services as audit
from ejournal.audit.models import AuditChainHead, AuditEvent
from ejournal.testing.factories import SchoolFactory

STOLEN_GUESS = b"not-the-real-key-but-long-enough"


@pytest.fixture
def school(db):
    return SchoolFactory()


@pytest.fixture(autouse=True)
def _keys(settings):
    settings.AUDIT_KEYS = "1:first-key-of-the-deployment-0001"
    keys._load.cache_clear()
    yield
    keys._load.cache_clear()


def _fill(school, n=6):
    return [
        audit.record(action="journal.mark_changed", school=school, object_id=i, after={"v": i})
        for i in range(n)
    ]


def _reseal_from(chain: str, seq: int, *, digest) -> None:
    """What an attacker with database access does: recompute every seal from ``seq`` on
    with whatever hash they can compute, renumbering nothing, and move the head."""
    events = list(AuditEvent.objects.filter(chain=chain, seq__gte=seq).order_by("seq"))
    prev = AuditEvent.objects.get(chain=chain, seq=seq - 1).hash if seq > 1 else audit.GENESIS_HASH
    for event in events:
        event.prev_hash = prev
        event.hash = digest(event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash
    AuditChainHead.objects.filter(chain=chain).update(
        last_seq=events[-1].seq if events else seq - 1, last_hash=prev
    )


def _sha256(event) -> str:
    # The old, unkeyed digest: exactly what anyone could recompute before.
    event.key_version = 0
    AuditEvent.objects.filter(pk=event.pk).update(key_version=0)
    return audit.event_digest(event)


def _wrong_key(event) -> str:
    payload = json.dumps({"seq": event.seq, "prev": event.prev_hash}).encode()
    import hmac

    return hmac.new(STOLEN_GUESS, payload, hashlib.sha256).hexdigest()


def test_new_events_are_sealed_with_the_current_key(school):
    events = _fill(school, 2)
    assert {e.key_version for e in events} == {1}
    assert audit.chain_verify(chain=audit.chain_for(school.pk)).ok


@pytest.mark.parametrize("digest", [_sha256, _wrong_key], ids=["unkeyed", "guessed-key"])
def test_an_edited_event_with_the_rest_resealed_is_caught(school, digest):
    events = _fill(school)
    chain = audit.chain_for(school.pk)
    AuditEvent.objects.filter(pk=events[2].pk).update(after={"v": 99})
    _reseal_from(chain, 3, digest=digest)
    report = audit.chain_verify(chain=chain)
    assert not report.ok and report.first_broken_seq == 3


def test_a_deleted_event_with_the_rest_renumbered_and_resealed_is_caught(school):
    events = _fill(school)
    chain = audit.chain_for(school.pk)
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    for event in AuditEvent.objects.filter(chain=chain, seq__gt=2).order_by("seq"):
        AuditEvent.objects.filter(pk=event.pk).update(seq=event.seq - 1)
    _reseal_from(chain, 2, digest=_sha256)
    report = audit.chain_verify(chain=chain)
    assert not report.ok and report.first_broken_seq == 2


def test_a_trimmed_tail_with_the_head_moved_back_is_caught_by_the_checkpoint(school):
    events = _fill(school)
    chain = audit.chain_for(school.pk)
    written = checkpoints.checkpoint_write()
    assert [(p.chain, p.seq) for p in written] == [(chain, 6)]
    # The last two events go, and the head is set back to event 4: the chain itself is
    # consistent again, so only the checkpoint can tell.
    AuditEvent.objects.filter(pk__in=[events[4].pk, events[5].pk]).delete()
    AuditChainHead.objects.filter(chain=chain).update(last_seq=4, last_hash=events[3].hash)
    report = audit.chain_verify(chain=chain)
    assert not report.ok and "контрольная точка" in report.problem
    assert report.first_broken_seq == 5


def test_a_rewritten_event_that_a_checkpoint_saw_is_caught_even_with_the_key(school):
    # Even someone who also stole the key cannot rewrite what a checkpoint saw.
    _fill(school)
    chain = audit.chain_for(school.pk)
    checkpoints.checkpoint_write()
    event = AuditEvent.objects.get(chain=chain, seq=6)
    event.after = {"v": 100}
    event.hash = audit.event_digest(event)
    AuditEvent.objects.filter(pk=event.pk).update(after=event.after, hash=event.hash)
    AuditChainHead.objects.filter(chain=chain).update(last_hash=event.hash)
    report = audit.chain_verify(chain=chain)
    assert not report.ok and report.first_broken_seq == 6


def test_checkpoints_are_written_only_for_chains_that_moved(school):
    _fill(school, 2)
    assert len(checkpoints.checkpoint_write()) == 1
    assert checkpoints.checkpoint_write() == []
    audit.record(action="x", school=school)
    assert [p.seq for p in checkpoints.checkpoint_write()] == [3]
    assert [p.seq for p in checkpoints.checkpoints_read()] == [2, 3]


def test_a_forged_checkpoint_line_is_reported(school, capsys):
    _fill(school, 2)
    checkpoints.checkpoint_write()
    path = checkpoints.checkpoint_file()
    line = json.loads(path.read_text().splitlines()[0])
    line["seq"] = 1  # "the chain only ever had one event"
    with path.open("a") as fh:
        fh.write(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="поддельных контрольных точек: 1"):
        call_command("audit_verify")
    assert "подпись не сходится" in capsys.readouterr().out


def test_rotation_keeps_old_events_verifiable_and_seals_new_ones_with_the_new_key(school, settings):
    _fill(school, 2)
    checkpoints.checkpoint_write()
    settings.AUDIT_KEYS = "2:second-key-after-rotation-0002,1:first-key-of-the-deployment-0001"
    keys._load.cache_clear()
    later = audit.record(action="x", school=school)
    assert later.key_version == 2
    assert audit.chain_verify(chain=audit.chain_for(school.pk)).ok
    # Without the old key the old events cannot be checked, and verification says so.
    settings.AUDIT_KEYS = "2:second-key-after-rotation-0002"
    keys._load.cache_clear()
    report = audit.chain_verify(chain=audit.chain_for(school.pk))
    assert not report.ok and "нет ключа аудита версии 1" in report.problem


def test_an_unkeyed_chain_rewritten_from_its_first_event_is_caught(school):
    _fill(school, 3)
    chain = audit.chain_for(school.pk)
    _reseal_from(chain, 1, digest=_sha256)
    report = audit.chain_verify(chain=chain)
    assert not report.ok and report.first_broken_seq == 1
    assert "не запечатано" in report.problem


def test_the_migration_seals_old_events_and_leaves_a_break_reported(school):
    from importlib import import_module

    from django.apps import apps

    seal = import_module("ejournal.audit.migrations.0003_seal_existing_events").seal
    other = SchoolFactory()
    _fill(school, 4)
    _fill(other, 3)
    good, broken = audit.chain_for(school.pk), audit.chain_for(other.pk)
    # Both chains as the unkeyed product wrote them; then someone edited «other»'s 2nd.
    _reseal_from(good, 1, digest=_sha256)
    _reseal_from(broken, 1, digest=_sha256)
    AuditEvent.objects.filter(chain=broken, seq=2).update(reason="подделка")
    seal(apps, None)
    assert audit.chain_verify(chain=good).ok
    assert set(AuditEvent.objects.filter(chain=good).values_list("key_version", flat=True)) == {1}
    report = audit.chain_verify(chain=broken)
    assert not report.ok and report.first_broken_seq == 2
    # New events continue the sealed chain.
    audit.record(action="x", school=school)
    assert audit.chain_verify(chain=good).ok


def test_the_key_file_is_made_once_and_read_back(tmp_path, settings):
    settings.AUDIT_KEYS = ""
    settings.AUDIT_KEY_FILE = tmp_path / "audit_keys"
    keys._load.cache_clear()
    first = keys.all_keys()
    keys._load.cache_clear()
    assert keys.all_keys() == first and list(first) == [1]
    assert oct(settings.AUDIT_KEY_FILE.stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db(transaction=True)
def test_a_backup_carries_the_signed_heads_and_writes_them_down(school, tmp_path):
    from ejournal.archive import backups

    _fill(school, 3)
    _, manifest = backups.backup_write(directory=tmp_path / "backups")
    good, bad = checkpoints.parse([json.dumps(h) for h in manifest["audit_heads"]])
    assert not bad
    assert (audit.chain_for(school.pk), 3) in {(p.chain, p.seq) for p in good}
    assert (audit.chain_for(school.pk), 3) in {
        (p.chain, p.seq) for p in checkpoints.checkpoints_read()
    }
