-- Every member-year the certificate rules were applied to: was the award what they say?
SELECT eligible = certificate_awarded AS award_matches_rules
FROM certificate_eligibility
WHERE eligible IS NOT NULL AND certificate_awarded IS NOT NULL
