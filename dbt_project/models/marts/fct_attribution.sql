-- One row per conversion x touch x attribution model, with the touch's credit weight (sums to 1
-- per conversion and model) and the attributed leads, qualified leads, deals, new customers
-- and revenue (reporting currency). A view over the two tables under it: the six rule-based
-- models (incremental) and Markov (rebuilt with every fit of the chain).
{{ config(materialized='view') }}

select * from {{ ref('int_attribution_rule_credits') }}
union all
select * from {{ ref('int_attribution_markov_credits') }}
