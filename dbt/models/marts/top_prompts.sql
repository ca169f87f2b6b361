{#- The most repeated first prompts (the paper's jailbreak analysis starts here): the first user
    message of each conversation, compared after trimming surrounding ASCII whitespace, kept when at least
    var top_prompts_min_count conversations open with it; the var top_prompts_limit most frequent. -#}
with firsts as (
    select
        conversation_key,
        hashed_ip,
        last_turn_at,
        regexp_replace(list_filter(conversation, lambda m: m.role = 'user')[1].content, '^\s+|\s+$', '', 'g')
            as prompt
    from {{ ref('stg_release_conversations') }}
),

counted as (
    select
        prompt,
        count(*) as conversations,
        count(distinct hashed_ip) as users,
        min(last_turn_at) as first_seen_at,
        max(last_turn_at) as last_seen_at
    from firsts
    where prompt is not null and prompt <> ''
    group by prompt
    having count(*) >= {{ var('top_prompts_min_count') }}
)

select
    cast(row_number() over (order by conversations desc, prompt) as integer) as rank,
    prompt,
    conversations,
    users,
    {{ token_count('prompt') }} as prompt_tokens,
    first_seen_at,
    last_seen_at
from counted
order by rank
limit {{ var('top_prompts_limit') }}
