{#- Conversations per model (conversation-level field; NULL reads 'Unknown'), largest first. -#}
{{ conversation_distribution('model') }}
