{#- One row per released conversation (full split, every day). Optional columns the release may
    add beyond WildChat-1M's schema are used where present: conversation_id (unique; WildChat's
    conversation_hash is not) and per-message toxicity lists of other backends. -#}
{%- set cols = release_column_types() -%}

with release as (
    select * from {{ source('wildchat', 'release') }}
)

select
    {% if 'conversation_id' in cols -%}
    coalesce(conversation_id, conversation_hash) as conversation_key,
    {%- else -%}
    conversation_hash || '#' || cast(dt as varchar) || '#'
        || row_number() over (partition by conversation_hash, dt order by "timestamp")
        as conversation_key,
    {%- endif %}
    conversation_hash,
    cast(dt as date) as release_day,
    model,
    "timestamp" as last_turn_at,
    turn,
    language,
    country,
    state,
    hashed_ip,
    toxic,
    redacted,
    conversation,
    openai_moderation,
    detoxify_moderation,
    {% if 'embedded_toxicity' in cols -%}
    embedded_toxicity
    {%- else -%}
    cast(null as double[]) as embedded_toxicity
    {%- endif %}
from release
