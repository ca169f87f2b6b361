"""Constants shared by the generator: folders, planted kinds, behaviour shares, id layout."""

from __future__ import annotations

import datetime as dt
import string

DROP_FOLDER = "raw_logs_drop"
GROUND_TRUTH_FOLDER = "ground_truth"
PART_STEM = "part-00000.jsonl"

# MaxMind's own test-database addresses; they resolve in real GeoLite2 too, and downstream
# tests pin their country/subdivision, so every run has users on them.
MAXMIND_TEST_IPS = ("81.2.69.142", "216.160.83.56", "89.160.20.112")

MALFORMED_KINDS = (
    "truncated_json",
    "id_not_int",
    "messages_not_list",
    "missing_field",
    "roles_not_alternating",
    "empty_content",
    "invalid_utf8",
    "oversized_message",
)
PII_KINDS = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "ADDRESS", "US_SSN", "IP_ADDRESS")
SECRET_KINDS = (
    "AWS_KEY",
    "AWS_SECRET_KEY",
    "GITHUB_TOKEN",
    "OPENAI_KEY",
    "SLACK_TOKEN",
    "PRIVATE_KEY",
    "URL_PASSWORD",
)
BENIGN_KINDS = ("BENIGN_PERSON", "BENIGN_EMAIL", "BENIGN_CODE")

# Behaviour shares, per conversation unless said otherwise.
SHARE_PII = 0.075
SHARE_BENIGN = 0.06
SHARE_TOXIC = 0.05  # of conversations in languages with toxic templates (~4.5% overall)
SHARE_RETURNING_USER = 0.3
SHARE_IP_CHANGE = 0.03
SHARE_PRIVATE_IP = 0.01  # per new user
SHARE_IPV6 = 0.02  # per new user
P_REGENERATE = 0.03  # per turn
P_EDIT = 0.02  # per turn
MAX_TURNS = 30
IP_POOL_SEED = 0
OVERSIZED_CHARS = 1_050_000

SECONDS_PER_DAY = 86_400
UNIX_EPOCH = dt.date(1970, 1, 1)
ID_EPOCH = dt.date(2000, 1, 1)
IDS_PER_DAY = 10**8  # id = days since 2000 * 1e8 + line number: unique across separate runs too
SNAPSHOT_0613 = dt.date(2023, 6, 13)
ALNUM = string.ascii_letters + string.digits
