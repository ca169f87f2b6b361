{#- Conversations per language (conversation-level field; NULL reads 'Unknown'), largest first. -#}
{{ conversation_distribution('language') }}
