{#- Column name -> DuckDB type of the release source, read from the Parquet footers when the model
    runs (empty while parsing). Lets models use optional columns (conversation_id, per-backend
    toxicity lists) only where the release has them. -#}
{% macro release_column_types() -%}
  {%- if not execute -%}{{ return({}) }}{%- endif -%}
  {%- set result = run_query('describe select * from ' ~ source('wildchat', 'release')) -%}
  {%- set types = {} -%}
  {%- for row in result.rows -%}
    {%- do types.update({row[0] | lower: row[1] | string}) -%}
  {%- endfor -%}
  {{ return(types) }}
{%- endmacro %}
