-- Campaigns of every ad platform (and manual cost lines) under their current name, with the
-- normalised name that sessions' utm_campaign may carry instead of the id.
select * from {{ ref('int_campaigns') }}
