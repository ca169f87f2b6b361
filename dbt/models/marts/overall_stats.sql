{#- WildChat paper, Table 1: one row over every released day (full split). Tokens: see the
    token_count macro (regex word/punctuation tokens, CJK characters one each). -#}
with conversations as (
    select * from {{ ref('stg_release_conversations') }}
),

messages as (
    select * from {{ ref('stg_release_messages') }}
),

conv as (
    select
        count(*) as conversations,
        cast(sum(turn) as bigint) as turns,
        count(distinct hashed_ip) as users,
        count(distinct language) as languages,
        count(distinct country) as countries,
        count(distinct release_day) as days,
        min(release_day) as first_day,
        max(release_day) as last_day
    from conversations
),

msg as (
    select
        count(*) filter (where role = 'user') as user_messages,
        count(*) filter (where role = 'assistant') as assistant_messages,
        avg(tokens) filter (where role = 'user') as mean_prompt_tokens,
        avg(tokens) filter (where role = 'assistant') as mean_response_tokens
    from messages
)

select
    conv.conversations,
    conv.turns,
    conv.users,
    conv.turns / nullif(conv.conversations, 0) as mean_turns,
    msg.mean_prompt_tokens,
    msg.mean_response_tokens,
    msg.user_messages,
    msg.assistant_messages,
    conv.languages,
    conv.countries,
    conv.days,
    conv.first_day,
    conv.last_day
from conv cross join msg
