{# The contact key of a CRM contact that has neither phone nor e-mail: its id, the same text for
   its leads and its deals without a lead, so they are one customer. NULL without a contact. #}
{% macro crm_contact_id_key(crm_source, crm_contact_id) -%}
    case when {{ crm_contact_id }} is not null then 'contact:' || {{ crm_source }} || ':' || {{ crm_contact_id }} end
{%- endmacro %}
