{#- Conversations per language (conversation-level field; NULL reads 'Unknown'), largest first. -#}
with conversations as (
    select * from {{ ref('stg_release_conversations') }}
)

select
    coalesce(language, 'Unknown') as language,
    count(*) as conversations,
    count(*) / sum(count(*)) over () as share,
    cast(sum(turn) as bigint) as turns,
    count(distinct hashed_ip) as users
from conversations
group by 1
order by conversations desc, language
