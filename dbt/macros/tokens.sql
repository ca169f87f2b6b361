{#- The tokenizer behind mean_prompt_tokens / mean_response_tokens (docs/analytics.md):
    a token is a maximal run of Unicode letters, digits, combining marks and '_', or a single
    punctuation or symbol character; every Han ideograph, Hiragana and Katakana character is a token
    of its own (those scripts do not separate words with spaces). Whitespace and control characters
    only separate tokens. Computable in DuckDB (RE2 Unicode classes), tiktoken-free. -#}
{% macro token_count(text) -%}
  len(regexp_extract_all(
    regexp_replace(coalesce({{ text }}, ''), '([\p{Han}\p{Hiragana}\p{Katakana}])', ' \1 ', 'g'),
    '[\pL\pN\pM_]+|[\pP\pS]'
  ))
{%- endmacro %}
