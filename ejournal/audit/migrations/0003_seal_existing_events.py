"""Seal the events written before the chain was keyed with the deployment's first key.

Each chain is walked in order; the stretch that still verifies under the old unkeyed
SHA-256 is re-sealed with HMAC (key version 1 or the current one), links and head
included. Whatever no longer verified stays as it was — unkeyed — so ``audit_verify``
keeps reporting it: sealing it would launder the tampering.
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations

GENESIS = "0" * 64


def _payload(event, key_version):
    content = {
        "chain": event.chain,
        "seq": event.seq,
        "school": event.school_id,
        "actor": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "prev_hash": event.prev_hash,
    }
    if key_version:
        content["key_version"] = key_version
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode("utf-8")


def seal(apps, schema_editor):
    from ejournal.audit import keys

    Event = apps.get_model("audit", "AuditEvent")
    Head = apps.get_model("audit", "AuditChainHead")
    if not Event.objects.filter(key_version=0).exists():
        return
    version = keys.current_version()
    secret = keys.key(version)
    for head in Head.objects.all():
        old_prev, new_prev, expected_seq = GENESIS, GENESIS, 1
        changed = []
        for event in Event.objects.filter(chain=head.chain).order_by("seq").iterator():
            if (
                event.key_version != 0
                or event.seq != expected_seq
                or event.prev_hash != old_prev
                or hashlib.sha256(_payload(event, 0)).hexdigest() != event.hash
            ):
                break
            old_prev = event.hash
            event.prev_hash = new_prev
            event.key_version = version
            event.hash = hmac.new(secret, _payload(event, version), hashlib.sha256).hexdigest()
            new_prev = event.hash
            expected_seq += 1
            changed.append(event)
            if len(changed) >= 2000:
                Event.objects.bulk_update(changed, ["prev_hash", "key_version", "hash"])
                changed = []
        Event.objects.bulk_update(changed, ["prev_hash", "key_version", "hash"])
        if head.last_seq == expected_seq - 1 and head.last_hash == old_prev:
            head.last_hash = new_prev
            head.save(update_fields=["last_hash"])
        elif expected_seq > 1:
            # The chain broke somewhere after the sealed stretch: the next event still
            # links to the old seal, so it (and the head) keep reporting the break.
            pass


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_event_key_version")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
