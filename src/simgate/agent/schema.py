"""The agent's tables (created on start; the agent's file is not the hub's database)."""

from __future__ import annotations

SEEDED_TABLES = ("activations", "sms")

SCHEMA = """
-- Values chosen once per data folder (the simulated pool's seed).
CREATE TABLE IF NOT EXISTS kept_values (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS sims (
    id INTEGER PRIMARY KEY,
    sim_key TEXT NOT NULL UNIQUE,       -- IMSI of a modem SIM, sim-NNNN for a simulated one
    port TEXT NOT NULL,
    phone INTEGER UNIQUE,               -- NULL until known: such a SIM is never offered
    imsi TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL,
    operator TEXT NOT NULL,
    online INTEGER NOT NULL DEFAULT 0,
    signal INTEGER,
    last_allocated_at TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT ''
);
-- GET_NUMBER walks SIMs least recently used first and stops at the first that fits.
CREATE INDEX IF NOT EXISTS sims_pick_any ON sims (country, last_allocated_at);
CREATE INDEX IF NOT EXISTS sims_pick_operator ON sims (country, operator, last_allocated_at);

CREATE TABLE IF NOT EXISTS activations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sim_id INTEGER NOT NULL REFERENCES sims (id),
    phone INTEGER NOT NULL,
    service TEXT NOT NULL,
    country TEXT NOT NULL,
    operator TEXT NOT NULL,
    sum TEXT NOT NULL,
    currency INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    open INTEGER NOT NULL DEFAULT 1,
    status INTEGER,                     -- the hub's FINISH status; NULL while open or expired
    closed_by TEXT,                     -- 'hub' or 'lifetime'
    closed_at TEXT
);
-- The database itself refuses a second open activation on one SIM.
CREATE UNIQUE INDEX IF NOT EXISTS activations_one_open_per_sim
    ON activations (sim_id) WHERE open = 1;
CREATE INDEX IF NOT EXISTS activations_open_expiry ON activations (expires_at) WHERE open = 1;

CREATE TABLE IF NOT EXISTS phone_services (
    phone INTEGER NOT NULL,
    service TEXT NOT NULL,
    sold INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    cancels INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (phone, service)
);

CREATE TABLE IF NOT EXISTS sms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,   -- the smsId sent in PUSH_SMS
    sim_id INTEGER,
    phone INTEGER NOT NULL,
    sender TEXT NOT NULL,
    text TEXT NOT NULL,
    received_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',  -- pending, delivered, rejected
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS sms_due ON sms (next_attempt_at, id) WHERE state = 'pending';

-- Parts of a concatenated SMS wait here until the last one arrives.
CREATE TABLE IF NOT EXISTS sms_parts (
    sim_key TEXT NOT NULL,
    sender TEXT NOT NULL,
    ref INTEGER NOT NULL,
    total INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (sim_key, sender, ref, total, seq)
);

-- Every PDU taken from a SIM: one read twice (crash before AT+CMGD) is stored once.
CREATE TABLE IF NOT EXISTS seen_pdus (
    digest TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
);

-- Call forwarding set for the hub (simgate's FORWARD_* extension), by GET_NUMBER activation.
CREATE TABLE IF NOT EXISTS forwardings (
    activation_id INTEGER PRIMARY KEY,
    phone INTEGER NOT NULL,
    forward_number INTEGER NOT NULL,
    clean_call INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    minutes_paid INTEGER NOT NULL DEFAULT 0,   -- what the hub paid for: the SIM owner tops up
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Each paid top-up once: a hub that retries FORWARD_TOP_UP sends the same paymentId.
CREATE TABLE IF NOT EXISTS forward_top_ups (
    activation_id INTEGER NOT NULL,
    payment_id INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (activation_id, payment_id)
);

CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    level TEXT NOT NULL,
    source TEXT NOT NULL,
    message TEXT NOT NULL
);
"""
