"""Interventions: one mechanism (target group, uptake ramp, uncertain effects on named rates, cost;
coverage by common random numbers) and a catalogue of the interventions the regions run
(data/intervention_catalogue.yaml), plus a simpy capacity model for acute outpatient slots."""
