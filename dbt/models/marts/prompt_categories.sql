{#- Share of released conversations per first-prompt category (core/prompt_categories.py: offline
    rules measured on a hand-labelled sample, docs/analytics.md). -#}
with prompts as (
    select category from {{ source('wildchat', 'prompt_clusters') }}
)

select
    category,
    count(*) as conversations,
    count(*) / sum(count(*)) over () as share
from prompts
group by category
order by conversations desc, category
