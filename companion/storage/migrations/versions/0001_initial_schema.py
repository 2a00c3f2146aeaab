"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from companion.storage.types import UTCDateTime


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('physician', 'guide', 'staff', 'admin', name='role', native_enum=False, length=20), nullable=False),
    sa.Column('secret_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_session_id'), ['session_id'], unique=False)

    op.create_table('patient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chart_number', sa.String(length=32), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('search_key', sa.String(length=300), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('indication', sa.Enum('depression', 'trd', 'anxiety', 'ptsd', 'other', name='indication', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chart_number')
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_search_key'), ['search_key'], unique=False)

    op.create_table('treatment_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('number_in_course', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'completed', 'abandoned', name='sessionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('phase', sa.Enum('check_in', 'centering', 'dose', 'monitoring', 'discharge', 'note', name='phase', native_enum=False, length=20), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=True),
    sa.Column('physician_id', sa.Integer(), nullable=True),
    sa.Column('t0', UTCDateTime(), nullable=True),
    sa.Column('discharged_at', UTCDateTime(), nullable=True),
    sa.Column('ended_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['guide_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['physician_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('treatment_session', schema=None) as batch_op:
        batch_op.create_index('ix_session_patient_started', ['patient_id', 'started_at'], unique=False)
        batch_op.create_index('ix_session_status_started', ['status', 'started_at'], unique=False)

    op.create_table('centering_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('script_id', sa.String(length=80), nullable=True),
    sa.Column('voice', sa.String(length=120), nullable=True),
    sa.Column('rate', sa.Integer(), nullable=True),
    sa.Column('planned_s', sa.Float(), nullable=True),
    sa.Column('actual_s', sa.Float(), nullable=True),
    sa.Column('pauses', sa.JSON(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('ended_early', sa.Boolean(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=True),
    sa.Column('ended_at', UTCDateTime(), nullable=True),
    sa.Column('guide_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('centering_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_centering_record_session_id'), ['session_id'], unique=False)

    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('last_food_at', UTCDateTime(), nullable=True),
    sa.Column('last_drink_at', UTCDateTime(), nullable=True),
    sa.Column('driver_name', sa.String(length=120), nullable=True),
    sa.Column('driver_phone', sa.String(length=40), nullable=True),
    sa.Column('medication_changes_reviewed', sa.Boolean(), nullable=False),
    sa.Column('medication_flags', sa.JSON(), nullable=False),
    sa.Column('medication_notes', sa.Text(), nullable=True),
    sa.Column('consent_on_file', sa.Boolean(), nullable=False),
    sa.Column('touch_consent', sa.Boolean(), nullable=False),
    sa.Column('no_substances_today', sa.Boolean(), nullable=False),
    sa.Column('intention', sa.Text(), nullable=True),
    sa.Column('mood_pre', sa.Integer(), nullable=True),
    sa.Column('anxiety_pre', sa.Integer(), nullable=True),
    sa.Column('bp_gate_ack_by_id', sa.Integer(), nullable=True),
    sa.Column('bp_gate_ack_at', UTCDateTime(), nullable=True),
    sa.Column('bp_gate_ack_reason', sa.Text(), nullable=True),
    sa.Column('completed_at', UTCDateTime(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bp_gate_ack_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id')
    )
    op.create_table('checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('offset_min', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('moaas', sa.Integer(), nullable=True),
    sa.Column('cadss_items', sa.JSON(), nullable=True),
    sa.Column('cadss_total', sa.Integer(), nullable=True),
    sa.Column('nausea', sa.Integer(), nullable=True),
    sa.Column('distress', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('missed_reason', sa.Text(), nullable=True),
    sa.Column('measured_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoint_session_id'), ['session_id'], unique=False)

    op.create_table('discharge_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('padss_vitals', sa.Integer(), nullable=False),
    sa.Column('padss_activity', sa.Integer(), nullable=False),
    sa.Column('padss_nausea', sa.Integer(), nullable=False),
    sa.Column('padss_pain', sa.Integer(), nullable=False),
    sa.Column('padss_total', sa.Integer(), nullable=False),
    sa.Column('moaas', sa.Integer(), nullable=True),
    sa.Column('dissociation_resolved', sa.Boolean(), nullable=False),
    sa.Column('steady_gait', sa.Boolean(), nullable=False),
    sa.Column('nausea_controlled', sa.Boolean(), nullable=False),
    sa.Column('min_observation_passed', sa.Boolean(), nullable=False),
    sa.Column('driver_present', sa.Boolean(), nullable=False),
    sa.Column('driver_name_confirmed', sa.String(length=120), nullable=True),
    sa.Column('instructions_given', sa.Boolean(), nullable=False),
    sa.Column('criteria_met', sa.Boolean(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('override_by_id', sa.Integer(), nullable=True),
    sa.Column('assessed_at', UTCDateTime(), nullable=False),
    sa.Column('discharged_at', UTCDateTime(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['override_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('discharge_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discharge_assessment_session_id'), ['session_id'], unique=False)

    op.create_table('dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('drug', sa.String(length=60), nullable=False),
    sa.Column('dose_mg', sa.Float(), nullable=False),
    sa.Column('weight_kg', sa.Float(), nullable=True),
    sa.Column('mg_per_kg', sa.Float(), nullable=True),
    sa.Column('route', sa.String(length=10), nullable=False),
    sa.Column('site', sa.String(length=60), nullable=True),
    sa.Column('lot_number', sa.String(length=60), nullable=True),
    sa.Column('administered_at', UTCDateTime(), nullable=False),
    sa.Column('administered_by_id', sa.Integer(), nullable=False),
    sa.Column('ceiling_warning', sa.Text(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['administered_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dose', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dose_session_id'), ['session_id'], unique=False)

    op.create_table('observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=60), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('adverse_event', sa.Boolean(), nullable=False),
    sa.Column('observed_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_session_at', ['session_id', 'observed_at'], unique=False)

    op.create_table('reflection_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', UTCDateTime(), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['guide_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.ForeignKeyConstraint(['signed_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id')
    )
    op.create_table('scale_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('scale', sa.String(length=20), nullable=False),
    sa.Column('context', sa.String(length=20), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=60), nullable=False),
    sa.Column('measured_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('scale_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scale_response_session_id'), ['session_id'], unique=False)

    op.create_table('note_addendum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('written_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['note_id'], ['reflection_note.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('note_addendum', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_addendum_note_id'), ['note_id'], unique=False)

    op.create_table('vitals_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('context', sa.String(length=20), nullable=False),
    sa.Column('systolic', sa.Integer(), nullable=True),
    sa.Column('diastolic', sa.Integer(), nullable=True),
    sa.Column('pulse', sa.Integer(), nullable=True),
    sa.Column('spo2', sa.Integer(), nullable=True),
    sa.Column('respiration', sa.Integer(), nullable=True),
    sa.Column('temperature_c', sa.Float(), nullable=True),
    sa.Column('weight_kg', sa.Float(), nullable=True),
    sa.Column('on_oxygen', sa.Boolean(), nullable=False),
    sa.Column('consciousness', sa.String(length=1), nullable=False),
    sa.Column('news2_total', sa.Integer(), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('measured_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoint.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vitals_reading', schema=None) as batch_op:
        batch_op.create_index('ix_vitals_session_measured', ['session_id', 'measured_at'], unique=False)

    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('reading_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('escalation', sa.Text(), nullable=True),
    sa.Column('raised_at', UTCDateTime(), nullable=False),
    sa.Column('cleared_at', UTCDateTime(), nullable=True),
    sa.Column('acknowledged_at', UTCDateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledgement_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['reading_id'], ['vitals_reading.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_session_id'), ['session_id'], unique=False)


    _create_guards()

def downgrade() -> None:
    _drop_guards()
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_session_id'))

    op.drop_table('alert')
    with op.batch_alter_table('vitals_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_vitals_session_measured')

    op.drop_table('vitals_reading')
    with op.batch_alter_table('note_addendum', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_addendum_note_id'))

    op.drop_table('note_addendum')
    with op.batch_alter_table('scale_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scale_response_session_id'))

    op.drop_table('scale_response')
    op.drop_table('reflection_note')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_session_at')

    op.drop_table('observation')
    with op.batch_alter_table('dose', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dose_session_id'))

    op.drop_table('dose')
    with op.batch_alter_table('discharge_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discharge_assessment_session_id'))

    op.drop_table('discharge_assessment')
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoint_session_id'))

    op.drop_table('checkpoint')
    op.drop_table('check_in')
    with op.batch_alter_table('centering_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_centering_record_session_id'))

    op.drop_table('centering_record')
    with op.batch_alter_table('treatment_session', schema=None) as batch_op:
        batch_op.drop_index('ix_session_status_started')
        batch_op.drop_index('ix_session_patient_started')

    op.drop_table('treatment_session')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_search_key'))

    op.drop_table('patient')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_session_id'))
        batch_op.drop_index('ix_audit_at')

    op.drop_table('audit_event')
    op.drop_table('staff')


# Guarantees the database keeps even against a buggy or hostile client: the audit trail is
# append-only, and a signed note (and its addenda) can never be changed or deleted.
_GUARDS = {
    "audit_event_no_update": ("UPDATE", "audit_event", None, "the audit trail is append-only"),
    "audit_event_no_delete": ("DELETE", "audit_event", None, "the audit trail is append-only"),
    "note_signed_no_update": ("UPDATE", "reflection_note", "OLD.status = 'signed'", "a signed note is locked"),
    "note_signed_no_delete": ("DELETE", "reflection_note", "OLD.status = 'signed'", "a signed note is locked"),
    "addendum_no_update": ("UPDATE", "note_addendum", None, "addenda cannot be changed"),
    "addendum_no_delete": ("DELETE", "note_addendum", None, "addenda cannot be changed"),
}


def _create_guards() -> None:
    dialect = op.get_bind().dialect.name
    for name, (event, table, when, message) in _GUARDS.items():
        if dialect == "sqlite":
            condition = f" WHEN {when}" if when else ""
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{condition} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        elif dialect == "postgresql":
            condition = f" WHEN ({when})" if when else ""
            op.execute(
                f"CREATE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{condition} "
                f"EXECUTE FUNCTION {name}_fn()"
            )
        else:
            raise NotImplementedError(f"no guard triggers for {dialect}")


def _drop_guards() -> None:
    dialect = op.get_bind().dialect.name
    for name, (_event, table, _when, _message) in _GUARDS.items():
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}_fn()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
