{#- The paper's jailbreak analysis: near-duplicate clusters of long templated first prompts that
    carry jailbreak markers or recur across many users (core/jailbreaks.py decides which clusters
    are families). Success rate: share of a family's conversations whose assistant turns were
    flagged toxic by any backend (the paper's measure). -#}
with members as (
    select * from {{ source('wildchat', 'prompt_clusters') }}
    where family_id is not null
),

marker_list as (
    select family_id, list(distinct marker order by marker) as markers
    from (select family_id, unnest(markers) as marker from members)
    group by family_id
)

select
    m.family_id,
    any_value(m.family_kind) as family_kind,
    count(*) as conversations,
    count(distinct m.hashed_ip) as users,
    cast(min(m.day) as date) as first_day,
    cast(max(m.day) as date) as last_day,
    count(*) filter (where m.assistant_toxic) as jailbroken_conversations,
    count(*) filter (where m.assistant_toxic) / count(*) as success_rate,
    coalesce(any_value(ml.markers), []) as markers,
    arg_min(m.excerpt, m.day || m.conversation_id) as excerpt
from members as m
left join marker_list as ml using (family_id)
group by m.family_id
order by conversations desc, family_id
