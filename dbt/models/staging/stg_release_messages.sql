{{ config(materialized='table') }}
{#- One row per message of every released conversation, with its token count and each toxicity
    backend's verdict. The per-backend lists (openai_moderation, detoxify_moderation, optional
    embedded_toxicity) run parallel to `conversation`; a missing or short list reads as no verdict
    (NULL), never as "not toxic". Materialized once so the marts do not re-read the Parquet. -#}
{%- set cols = release_column_types() -%}
{%- set conv_type = cols.get('conversation', '') -%}

with indexed as (
    select
        conversation_key,
        last_turn_at,
        conversation,
        openai_moderation,
        detoxify_moderation,
        embedded_toxicity,
        unnest(generate_series(1, len(conversation))) as i
    from {{ ref('stg_release_conversations') }}
)

select
    conversation_key,
    cast(i - 1 as integer) as message_index,
    conversation[i].role as role,
    coalesce(conversation[i]."timestamp", last_turn_at) as message_at,
    cast(date_trunc('month', timezone('UTC', coalesce(conversation[i]."timestamp", last_turn_at))) as date)
        as month,
    conversation[i].language as language,
    {{ token_count('conversation[i].content') }} as tokens,
    conversation[i].toxic as toxic,
    openai_moderation[i].flagged as openai_flagged,
    detoxify_moderation[i].toxicity as detoxify_toxicity,
    {% if 'embedded_toxicity' in conv_type -%}
    coalesce(embedded_toxicity[i], conversation[i].embedded_toxicity) as embedded_toxicity
    {%- else -%}
    embedded_toxicity[i] as embedded_toxicity
    {%- endif %}
from indexed
