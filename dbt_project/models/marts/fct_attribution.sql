-- One row per conversion x touch x attribution model, with the touch's credit weight (sums to 1
-- per conversion and model) and the attributed leads, qualified leads, deals, new customers
-- and revenue (reporting currency). A view over the six rule-based models' credits and
-- Markov's (int_attribution_daily has their sums per day, channel and campaign keys).
{{ config(materialized='view') }}

select * from {{ ref('int_attribution_rule_credits') }}
union all
select * from {{ ref('int_attribution_markov_credits') }}
