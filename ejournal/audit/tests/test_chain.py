import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ejournal.audit import services as audit
from ejournal.audit.models import AuditEvent
from ejournal.testing.factories import SchoolFactory


@pytest.fixture
def school(db):
    return SchoolFactory()


def _fill(school, n=5):
    return [
        audit.record(
            action="test.change",
            school=school,
            object_type="x",
            object_id=i,
            before={"v": i},
            after={"v": i + 1, "ru": "оценка"},
        )
        for i in range(n)
    ]


def test_events_link_into_a_verifiable_chain(school):
    events = _fill(school)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[1].prev_hash == events[0].hash
    report = audit.chain_verify(chain=audit.chain_for(school.pk))
    assert report.ok and report.checked == 5


def test_each_school_has_its_own_chain(school):
    other = SchoolFactory()
    _fill(school, 2)
    e = audit.record(action="x", school=other)
    assert e.seq == 1
    assert e.chain == f"school:{other.pk}"


def test_editing_a_row_behind_the_orm_is_detected(school):
    events = _fill(school)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET after = %s WHERE id = %s",
            ['{"v": 99, "ru": "оценка"}', events[2].pk],
        )
    report = audit.chain_verify(chain=audit.chain_for(school.pk))
    assert not report.ok
    assert report.first_broken_seq == 3


def test_deleting_a_middle_event_is_detected(school):
    events = _fill(school)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    report = audit.chain_verify(chain=audit.chain_for(school.pk))
    assert not report.ok and report.first_broken_seq == 2


def test_deleting_the_last_event_is_detected(school):
    events = _fill(school)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[-1].pk])
    assert not audit.chain_verify(chain=audit.chain_for(school.pk)).ok


def test_audit_verify_command_names_the_first_broken_event(school, capsys):
    events = _fill(school)
    call_command("audit_verify", school=school.pk)
    assert "в порядке" in capsys.readouterr().out
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET reason = %s WHERE id = %s",
            ["подделка", events[3].pk],
        )
    with pytest.raises(CommandError):
        call_command("audit_verify", school=school.pk)
    out = capsys.readouterr().out
    assert "НАРУШЕНА с события №4" in out


def test_an_event_rolled_back_with_its_change_leaves_no_trace(school):
    from django.db import transaction

    _fill(school, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(action="test.change", school=school)
        raise RuntimeError
    e = audit.record(action="test.after", school=school)
    assert e.seq == 2
    assert audit.chain_verify(chain=audit.chain_for(school.pk)).ok


def test_a_batch_locks_the_head_once_and_leaves_a_valid_chain(school, django_assert_num_queries):
    from django.db import transaction

    _fill(school, 2)
    with transaction.atomic():
        # The first event locks the head; the events are inserted together at the end,
        # and the head is written once.
        with django_assert_num_queries(3), audit.batch() as batch:
            with django_assert_num_queries(1):
                audit.record(action="test.batch", school=school, batch=batch)
            with django_assert_num_queries(0):
                audit.record(action="test.batch", school=school, batch=batch)
                audit.record(action="test.batch", school=school, batch=batch)
    after = audit.record(action="test.after", school=school)
    assert after.seq == 6
    report = audit.chain_verify(chain=audit.chain_for(school.pk))
    assert report.ok and report.checked == 6


def test_a_failed_batch_leaves_the_head_where_it_was(school):
    from django.db import transaction

    _fill(school, 1)
    with pytest.raises(RuntimeError), transaction.atomic(), audit.batch() as batch:
        audit.record(action="test.batch", school=school, batch=batch)
        raise RuntimeError
    assert audit.record(action="test.after", school=school).seq == 2
    assert audit.chain_verify(chain=audit.chain_for(school.pk)).ok


def test_an_event_recorded_past_the_batch_fails_the_whole_write(school):
    from django.db import IntegrityError, transaction

    _fill(school, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        with audit.batch() as batch:
            audit.record(action="test.batch", school=school, batch=batch)
            audit.record(action="test.forgot_the_batch", school=school)
    assert audit.record(action="test.after", school=school).seq == 2
    assert audit.chain_verify(chain=audit.chain_for(school.pk)).ok
