{#- Conversations per country (conversation-level field; NULL reads 'Unknown'), largest first. -#}
{{ conversation_distribution('country') }}
