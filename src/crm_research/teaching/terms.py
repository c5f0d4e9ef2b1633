"""The glossary's entries: the CRM and statistics terms used in the reports.

:data:`GLOSSARY` maps a term to ``(one_line, explanation)``: one line for tooltips and the report
index, and two or three plain sentences for students. :mod:`crm_research.teaching.glossary` looks
terms up, links to them and writes ``docs/glossary.md`` from this table.
"""

from __future__ import annotations

GLOSSARY: dict[str, tuple[str, str]] = {
    # --- CRM --------------------------------------------------------------------------------
    "CRM": (
        "Customer relationship management: knowing each customer and acting on it.",
        "Customer relationship management uses what a firm knows about each customer — purchases, "
        "contacts, preferences — to choose whom to serve how, instead of treating everyone alike. "
        "It is a process (goals, data, analysis, campaigns, review) more than a piece of software.",
    ),
    "eCRM": (
        "CRM that also uses web and e-mail data (visits, clicks, sessions).",
        "eCRM adds the online channel's data — web logs, cookies, clicks, e-mail opens — to the "
        "purchase data of classic CRM, and acts online: personalised pages, recommendations, "
        "e-mail. The background texts contrast the two (docs/background.md).",
    ),
    "Ten-step methodology": (
        "The CRM programme in ten steps, from goals to review.",
        "Goals; hypotheses and expected effects; readiness of data; a customer-centric database; "
        "understanding customers; business design; IT plan; predictive models; campaigns; review. "
        "Notebook 00 lists where this repository covers each step.",
    ),
    "KPI": (
        "Key performance indicator: a number the programme is steered by.",
        "A KPI is a measured figure with a definition fixed in advance, such as the share of "
        "customers who bought in the last year. The run history shows each KPI of every "
        "scheduled run beside its target (crm_research.reporting.kpi, crm_research.programme).",
    ),
    "Target": (
        "The value a KPI should reach, set before the programme starts (step 1).",
        "A target turns a goal into something checkable: '90-day churn at most 45%'. Targets are "
        "set with the hypothesis of how the programme will reach them, and the review (07) "
        "measures the KPI against them.",
    ),
    "Active share": (
        "Share of customers who bought in the 365 days before the as-of date.",
        "Of all customers who ever bought up to the as-of date, the fraction with a purchase in "
        "the last year. It falls when customers lapse faster than new ones arrive.",
    ),
    "Churn": (
        "A customer stops buying (or ends a contract).",
        "In contract businesses churn is observed (the contract ends); in retail it is not, so it "
        "is defined from the log: no purchase in the H days after a cut-off, among customers who "
        "bought in the year before. A churn score is a predicted probability of that.",
    ),
    "Churn rate (90 days)": (
        "Share of last year's buyers who did not buy in the last 90 days.",
        "Among customers who bought in the year before the 90-day window, the fraction with no "
        "purchase inside it. It is observed, not predicted, and rises in seasons with fewer "
        "purchases.",
    ),
    "RFM": (
        "Recency, frequency, monetary value: three summaries of a customer's purchases.",
        "Recency is the time since the last purchase, frequency the number of purchases, monetary "
        "value the spend. Scored 1–5 by percentile, their combinations name segments such as "
        "'Champions' or 'At Risk' (notebook 02).",
    ),
    "CLV": (
        "Customer lifetime value: the expected (discounted) value of a customer's future purchases.",
        "Here: expected purchases over a horizon (BG/NBD) times expected spend per purchase "
        "(Gamma-Gamma), discounted 1% a month. It ranks customers by what they are likely to "
        "bring, not by what they brought.",
    ),
    "Segmentation": (
        "Splitting customers into groups that behave alike, with a strategy per group.",
        "Segments come from rules (RFM) or from clustering behaviour features (k-means, Gaussian "
        "mixtures). A segmentation is useful when the groups are stable and call for different "
        "actions.",
    ),
    "Identity resolution": (
        "Finding which records in different systems belong to the same person.",
        "Members, call-centre customers, web accounts and survey answers rarely share a key. "
        "Records are linked by comparing names, phones, e-mails and birth dates; connected "
        "components of the links are the customers (notebook 01).",
    ),
    "Fellegi–Sunter": (
        "The probabilistic model of record linkage behind splink.",
        "Each compared field adds evidence: how often it agrees among true matches (m) against "
        "among non-matches (u). The sum of the log ratios gives a match weight and a match "
        "probability; pairs above a threshold are linked.",
    ),
    "Blocking": (
        "Comparing only candidate pairs that share something, not all pairs.",
        "With n records there are n²/2 pairs; blocking rules (same phone digits, same e-mail) "
        "keep the candidates that could match. Pairs no rule generates are never linked.",
    ),
    "Quarantine": (
        "Where rows that fail validation go, with file, line and reason.",
        "A bad row (wrong date format, negative amount, duplicate key) is not dropped silently: it "
        "is stored in the quarantine table, so rows in = accepted + quarantined for every file.",
    ),
    "Data freshness": (
        "Whether a customer's contact data still work (e.g. no retired 016/017 numbers).",
        "Contact data age: numbers move, e-mails change. The share of customers reachable by a "
        "working channel is what a campaign can actually use (docs/background.md).",
    ),
    "Pseudonymisation": (
        "Replacing an identifier with a keyed hash that cannot be reversed without the key.",
        "Reports never show names, phones or raw customer ids; where a customer must be named, a "
        "keyed hash (HMAC-SHA-256 with a secret salt) stands in for the id.",
    ),
    # --- buy-till-you-die and value -------------------------------------------------------
    "BTYD": (
        "'Buy till you die' models: customers buy at random until they silently leave.",
        "A family of models for non-contractual customers (BG/NBD, Pareto/NBD): each customer "
        "has a purchase rate while alive and a chance to drop out, both varying across "
        "customers. They need only each customer's frequency, recency and age.",
    ),
    "BG/NBD": (
        "Beta-geometric/negative binomial: the most used BTYD model.",
        "Purchases follow a Poisson process with a gamma-distributed rate; after each purchase the "
        "customer leaves with a beta-distributed probability. Four parameters (r, α, a, b) "
        "describe the whole customer base (Fader, Hardie & Lee 2005).",
    ),
    "MBG/NBD": (
        "Modified BG/NBD: customers may also leave before their first repeat purchase.",
        "Like BG/NBD, but a customer can drop out at time zero as well, so customers without "
        "repeat purchases are not all assumed alive.",
    ),
    "Pareto/NBD": (
        "BTYD model in which customers may leave at any moment, not only after a purchase.",
        "Purchases are Poisson with gamma-distributed rates; lifetimes are exponential with "
        "gamma-distributed dropout rates. Four parameters (r, α, s, β).",
    ),
    "Gamma-Gamma": (
        "Model of spend per purchase, independent of how often a customer buys.",
        "Each customer's purchases vary around their own mean spend, and those means vary across "
        "customers. It shrinks the average of a customer with few purchases towards the "
        "population mean; only repeat customers are used to fit it.",
    ),
    "BG/BB": (
        "Beta-geometric/beta-Bernoulli: BTYD for discrete opportunities (e.g. yearly donations).",
        "At each opportunity an alive customer buys with a beta-distributed probability and may "
        "leave with another beta-distributed probability (Fader, Hardie & Shang 2010).",
    ),
    "sBG": (
        "Shifted-beta-geometric: retention model for contracts renewed each period.",
        "Each customer renews with their own probability, beta-distributed across customers. The "
        "aggregate retention rate rises over time because the least loyal leave first "
        "(Fader & Hardie 2007).",
    ),
    "DERL": (
        "Discounted expected residual lifetime, in periods, of a contract customer.",
        "The expected number of further renewals of a customer, each discounted; times the margin "
        "per period it is the customer's remaining value (sBG).",
    ),
    "P(alive)": (
        "Probability that a customer has not yet silently left.",
        "From a BTYD model and the customer's frequency, recency and age: a frequent buyer who has "
        "not bought for a long time is probably gone. BG/NBD gives P(alive) = 1 to customers "
        "without a repeat purchase.",
    ),
    "Iso-value curves": (
        "Lines joining customers of equal expected value on a frequency × recency grid.",
        "They show that value rises with frequency only when recency is high: a frequent buyer "
        "who stopped buying is worth little.",
    ),
    "Discount rate": (
        "How much less a unit of money later is worth than now.",
        "CLV discounts future purchases (here 1% a month): a purchase in a year counts about 11% "
        "less than one today.",
    ),
    "Lorenz curve": (
        "Cumulative share of value against cumulative share of customers, best customers first.",
        "It shows concentration: 'the top 20% of customers bring 60% of revenue'. The further "
        "from the diagonal, the more concentrated.",
    ),
    # --- validation and evaluation -------------------------------------------------------
    "Holdout": (
        "Data kept aside to check a model on what it has not seen.",
        "For forecasts of purchases the holdout is the most recent period: models are fitted on "
        "the calibration period before it and judged by how well they predict it.",
    ),
    "Calibration period": (
        "The earlier period a forecasting model is fitted on (before the holdout).",
        "In BTYD work 'calibration' names the fitting period; the holdout period after it checks "
        "the forecasts. Not to be confused with probability calibration.",
    ),
    "Calibration (probabilities)": (
        "Predicted probabilities that match observed frequencies.",
        "A model is calibrated when, among customers given a 30% churn probability, about 30% "
        "churn. A reliability plot shows it; isotonic regression can repair it.",
    ),
    "Out-of-time validation": (
        "Training on an earlier period and testing on a later one.",
        "Customers change over time, so a model is tested as it will be used: trained at an "
        "earlier cut-off, evaluated at a later one, with features only from before each cut-off.",
    ),
    "MAE": (
        "Mean absolute error: the average size of a forecast's errors.",
        "The mean of |actual − predicted| over customers, in the forecast's units (purchases). "
        "Compared with a naive forecast, it says whether a model is worth it.",
    ),
    "ROC AUC": (
        "Probability that a random positive gets a higher score than a random negative.",
        "The area under the ROC curve: 0.5 is guessing, 1 a perfect ranking. It judges how well "
        "a score ranks customers, not whether its probabilities are right.",
    ),
    "Brier score": (
        "Mean squared difference between predicted probability and the 0/1 outcome.",
        "Lower is better; it rewards both ranking and calibration. Always compare with the Brier "
        "score of predicting the base rate for everyone.",
    ),
    "Precision, recall, F1": (
        "Share of links that are right; share of true links found; their harmonic mean.",
        "Precision = true positives / predicted positives, recall = true positives / actual "
        "positives, F1 = 2PR / (P + R). For identity resolution they are counted over record "
        "pairs.",
    ),
    "Lift": (
        "How much more often the top-scored customers have the outcome than average.",
        "Lift in the top decile = outcome rate in the 10% with the highest scores / overall rate. "
        "A churn model with lift 3 finds three times as many churners per contact as random.",
    ),
    "Expected-profit curve": (
        "Profit of contacting the top n customers, for every n.",
        "Each contacted customer costs money and may be saved with some probability; the curve "
        "adds expected gains minus costs down the ranking. Its maximum says how many to contact.",
    ),
    "Logistic regression": (
        "A model of the log-odds of a 0/1 outcome as a linear function of features.",
        "Its coefficients, exponentiated, are odds ratios: how the odds of churn change per unit "
        "of a feature. Interpretable, and often hard to beat.",
    ),
    "Gradient boosting": (
        "An ensemble of small decision trees, each fitted to the errors of the previous ones.",
        "Flexible and usually the most accurate on tabular data; needs tuning and out-of-time "
        "checks against overfitting.",
    ),
    "Kaplan–Meier": (
        "Estimate of the share of customers still 'surviving' (not churned) over time.",
        "It handles customers whose churn has not been observed yet (censored) correctly, by "
        "counting them only while observed.",
    ),
    "Cox model": (
        "Regression of the hazard of an event (e.g. churn) on customer features.",
        "Each feature multiplies the hazard by a constant factor (hazard ratio), whatever the "
        "baseline hazard over time looks like.",
    ),
    # --- clustering -----------------------------------------------------------------------
    "k-means": (
        "Clustering into k groups that minimises distances to the group means.",
        "Fast and simple; it prefers round clusters of similar size, so features are scaled "
        "first. Seeded, so the result is reproducible.",
    ),
    "Gaussian mixture": (
        "Clustering that models the data as a mix of k normal distributions.",
        "Each customer gets a probability of belonging to each group; clusters may differ in "
        "size and shape. The BIC helps choose k.",
    ),
    "Silhouette": (
        "How much closer a point is to its own cluster than to the next one (−1 to 1).",
        "The mean silhouette over customers is high when clusters are compact and well separated; "
        "one of several criteria for the number of segments.",
    ),
    "BIC": (
        "Bayesian information criterion: fit penalised by the number of parameters.",
        "Lower is better. For Gaussian mixtures it trades a better fit against more segments; "
        "the point where it stops falling much (the elbow) suggests k.",
    ),
    "Calinski–Harabasz": (
        "Ratio of between-cluster to within-cluster dispersion (higher is better).",
        "A quick criterion for the number of clusters, favouring well-separated groups.",
    ),
    "Davies–Bouldin": (
        "Average similarity of each cluster with its most similar one (lower is better).",
        "Low when clusters are compact and far apart.",
    ),
    "ARI": (
        "Adjusted Rand index: agreement of two clusterings, corrected for chance.",
        "1 means identical groupings, 0 what random labels would give. Used to score segments "
        "against the simulator's true segments, and for bootstrap stability.",
    ),
    "Bootstrap stability": (
        "Whether a clustering comes out the same on resampled data.",
        "Refit on bootstrap samples and compare with the original by ARI: a segmentation that "
        "changes with the sample is not one to build a strategy on.",
    ),
    # --- experiments and uplift -----------------------------------------------------------
    "Randomised controlled trial": (
        "Customers are assigned to treatment or control by chance.",
        "Chance makes the groups alike in everything but the treatment, so the difference in "
        "outcomes estimates its effect. The control group is what makes a campaign measurable.",
    ),
    "Confidence interval": (
        "A range that contains the true value in 95% of repeated experiments.",
        "An effect of +3.5 pts [+2.4, +4.7] is clearly positive; an interval that contains zero "
        "does not rule out no effect. Here with HC2 robust standard errors.",
    ),
    "Uplift": (
        "The change in behaviour caused by a treatment (treated minus control).",
        "Average uplift is the campaign's effect; individual uplift (what the campaign does to "
        "this customer) is estimated by uplift models to target those it persuades.",
    ),
    "Campaign uplift": (
        "Purchase rate of the e-mailed minus the control group, in percentage points.",
        "The KPI of the last recorded randomised campaign. Positive means the campaign caused "
        "purchases; it is only measurable with a randomised control group.",
    ),
    "Meta-learners": (
        "S-, T- and X-learners: uplift estimated with ordinary prediction models.",
        "The S-learner fits one model with the treatment as a feature, the T-learner one model per "
        "group, the X-learner imputes individual effects and models them. Class transformation "
        "recodes the target so one classifier predicts uplift.",
    ),
    "Qini": (
        "Curve and coefficient of how well a score ranks customers by uplift.",
        "Incremental responders gained by targeting the top-ranked customers, against random "
        "targeting; the area between the curves is the Qini coefficient, also shown as a share "
        "of the perfect model's.",
    ),
    "AUUC": (
        "Area under the uplift curve.",
        "Like Qini, it cumulates the estimated uplift down the ranking; higher is better. Both "
        "are computed on held-out customers.",
    ),
    "uplift@k": (
        "Uplift among the top k% of customers by score.",
        "Response rate of treated minus control within the top k% (e.g. 30%): what a campaign "
        "that contacts only them would gain per customer.",
    ),
    "CUPED": (
        "Variance reduction using a pre-experiment covariate (e.g. past purchases).",
        "Subtracting the part of the outcome predicted by pre-period behaviour leaves the effect "
        "unchanged but narrows its interval. It is regression adjustment with one covariate.",
    ),
    "Regression adjustment": (
        "Estimating a randomised effect with covariates in a regression (Lin 2013).",
        "The outcome is regressed on the treatment, centred covariates and their interactions; "
        "the treatment coefficient is the effect, with a narrower interval than the raw "
        "difference.",
    ),
    "Standardised difference": (
        "Difference in a covariate's mean between groups, in standard deviations.",
        "Used to check randomisation: values above 0.1 suggest the groups differ before treatment.",
    ),
    "Statistical power": (
        "Probability that an experiment detects an effect of a given size.",
        "It grows with sample size; a power calculation says how many customers a test needs to "
        "detect, say, +1 pt with 80% power.",
    ),
    "Difference-in-differences": (
        "Effect = change in the treated group minus change in a comparison group.",
        "It removes trends common to both groups (a market-wide rise) under the assumption that, "
        "without the programme, both would have moved in parallel.",
    ),
    "Interrupted time series": (
        "Effect = departure from the pre-programme trend after the programme starts.",
        "It needs no comparison group, but credits the programme with anything else that changed "
        "at the same time.",
    ),
}
