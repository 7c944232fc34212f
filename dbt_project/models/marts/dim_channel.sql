-- The channels reports group by (channel_rules' channels plus '(unattributed)').
select distinct channel from {{ ref('channel_rules') }}
union
select '(unattributed)' as channel
