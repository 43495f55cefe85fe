"""Re-encrypt every encrypted column under the current (first) key.

Rotation procedure (see settings.FIELD_ENCRYPTION_KEYS):

1. put a new key *first* in FIELD_ENCRYPTION_KEYS, keep the old ones after it;
2. restart the app (new data is now encrypted under the new key);
3. run ``manage.py rotate_field_keys``;
4. remove the old key from FIELD_ENCRYPTION_KEYS and restart.

Idempotent and resumable: tokens that already decrypt under the current key
are left alone, so a second run (or a run after an interruption) rewrites
nothing. Work is done in batches, each in its own short transaction with the
rows locked, so a concurrent edit is never overwritten with a stale token.
Lookup hashes are untouched: they use FIELD_HASH_KEY, which does not rotate
with the encryption keys.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xinfang.petitioners.crypto import ENCRYPTED_COLUMNS, DecryptionError, cipher, current_key_cipher


class Command(BaseCommand):
    help = "用当前（第一个）加密密钥重新加密所有加密字段（密钥轮换）"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的行数（默认 500）")
        parser.add_argument("--dry-run", action="store_true", help="只统计需要重新加密的行，不写入")

    def handle(self, *args, batch_size, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 必须大于 0")
        total_rotated, failures = 0, []
        for model, field in ENCRYPTED_COLUMNS:
            rotated, failed = self._rotate_column(model, field, batch_size, dry_run)
            total_rotated += rotated
            failures.extend(f"{model._meta.label}#{pk}.{field}" for pk in failed)
            verb = "需要重新加密" if dry_run else "已重新加密"
            self.stdout.write(f"{model._meta.label}.{field}: {verb} {rotated} 行")
        if failures:
            # Do not stop at the first bad row: report them all, then fail so
            # the operator does not drop the old key while these remain.
            shown = "、".join(failures[:20]) + ("……" if len(failures) > 20 else "")
            raise CommandError(f"{len(failures)} 个值无法用任何已配置的密钥解密：{shown}")
        self.stdout.write(self.style.SUCCESS(f"完成：共 {total_rotated} 个值{'待' if dry_run else '已'}用当前密钥加密"))

    def _rotate_column(self, model, field, batch_size, dry_run):
        all_keys, current_only = cipher(), current_key_cipher()
        rotated, failed = 0, []
        last_pk = 0
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .exclude(**{field: ""})
                    .order_by("pk")
                    .only("pk", field)[:batch_size]
                )
                if not rows:
                    break
                last_pk = rows[-1].pk
                changed = []
                for row in rows:
                    token = getattr(row, field)
                    try:
                        current_only.decrypt(token)
                        continue  # already under the current key
                    except DecryptionError:
                        pass
                    try:
                        setattr(row, field, all_keys.rotate(token))
                    except DecryptionError:
                        failed.append(row.pk)
                        continue
                    changed.append(row)
                if changed and not dry_run:
                    model.objects.bulk_update(changed, [field])
                rotated += len(changed)
        return rotated, failed
