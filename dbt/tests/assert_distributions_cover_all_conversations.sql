{{ config(meta={'dagster': {'ref': {'name': 'overall_stats'}}}) }}
{#- Every distribution partitions the same conversations: each sums to overall_stats.conversations
    and its shares to 1. Returns the offending tables. -#}
with totals as (
    select 'language_distribution' as model, sum(conversations) as conversations, sum(share) as share
    from {{ ref('language_distribution') }}
    union all
    select 'country_distribution', sum(conversations), sum(share) from {{ ref('country_distribution') }}
    union all
    select 'model_distribution', sum(conversations), sum(share) from {{ ref('model_distribution') }}
    union all
    select 'prompt_categories', sum(conversations), sum(share) from {{ ref('prompt_categories') }}
)

select totals.*
from totals cross join {{ ref('overall_stats') }} as overall
where totals.conversations <> overall.conversations or abs(totals.share - 1) > 1e-9
