"""Default Monte Carlo precision of the risk figures (the scenario's financing.precision,
money_precision and tail_precision), in one place for the scenario schema and the risk metrics.

The default baseline (scenarios/baseline.yaml: 100 draws) meets them; a run that does not gets a
warning with the number of draws that would.
"""

#: Largest acceptable Monte Carlo standard error of a probability (P(full payout), P(criterion met)).
PRECISION = 0.05
#: Largest acceptable standard error of the expected repayment (and payout), as a share of the region's
#: nærhedsfinansiering share: 0.035 is about 11 mio. DKK of a 321 mio. DKK share. A missed criterion
#: costs about a third of the share, so the repayment's sd over draws is about 0.3 of the share and
#: 0.035 takes about 75-100 draws.
MONEY_PRECISION = 0.035
#: The same for the tail figures (95 % value at risk, expected shortfall): they rest on the worst 1 draw
#: in 20, and where the repayment takes few values (a step rule) the VaR jumps between steps, so its
#: error falls slower than 1/sqrt(draws); 0.15 of the share (about 48 mio. DKK of 321 mio.) is what 100
#: draws of the baseline give (measured: at most 13.5 %, Midtjylland 2028).
TAIL_PRECISION = 0.15
