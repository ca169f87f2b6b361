{#- Share of toxic messages per calendar month (UTC, message time), toxicity backend and role
    (user prompts vs assistant responses), as the paper's toxicity-over-time figure.
    Backends: openai_moderation (flagged), detoxify (toxicity > var detoxify_threshold, WildChat's 0.1),
    embedded (offline classifier probability > var embedded_threshold), combined (the release's own
    per-message `toxic`: any enabled backend). A backend with no verdict for a message does not
    count it; a backend with no verdicts at all has no rows. -#}
with messages as (
    select * from {{ ref('stg_release_messages') }}
),

verdicts as (
    select month, role, 'openai_moderation' as backend, openai_flagged as is_toxic
    from messages where openai_flagged is not null
    union all
    select month, role, 'detoxify', detoxify_toxicity > {{ var('detoxify_threshold') }}
    from messages where detoxify_toxicity is not null
    union all
    select month, role, 'embedded', embedded_toxicity > {{ var('embedded_threshold') }}
    from messages where embedded_toxicity is not null
    union all
    select month, role, 'combined', toxic
    from messages where toxic is not null
)

select
    month,
    backend,
    role,
    count(*) as messages,
    count(*) filter (where is_toxic) as toxic_messages,
    count(*) filter (where is_toxic) / count(*) as toxic_rate
from verdicts
group by month, backend, role
order by month, backend, role
