{#- Conversations per value of one conversation-level column (NULL reads 'Unknown'),
    with share, turns and users: the shape of every *_distribution table. -#}
{% macro conversation_distribution(column) %}
select
    coalesce({{ column }}, 'Unknown') as {{ column }},
    count(*) as conversations,
    count(*) / sum(count(*)) over () as share,
    cast(sum(turn) as bigint) as turns,
    count(distinct hashed_ip) as users
from {{ ref('stg_release_conversations') }}
group by 1
order by conversations desc, {{ column }}
{% endmacro %}
