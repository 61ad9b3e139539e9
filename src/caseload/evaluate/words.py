"""Danish and English for the evaluation report and its tables."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Evaluation of {name}",
        "subtitle": "Randomised trial {code}: cohort frozen on {start}; outcomes to {end}",
        "summary": "What the trial shows",
        "cannot": "What it cannot show",
        "design": "Design and cohort",
        "arm": "Arm",
        "trial": "Trial",
        "control": "Control",
        "citizens": "Citizens",
        "later_entrants": "Later entrants (not in the estimates)",
        "srm": "Sample ratio check: {treated} vs {control} against P(trial) = {p:.3f}: "
        "χ² = {chi2:.2f}, p = {pvalue:.3g}",
        "srm_bad": "The arms' sizes do not fit the design (p < 0.001): check the allocation "
        "before reading any effect.",
        "balance": "Baseline balance (Tables 1–2)",
        "trait": "Trait",
        "smd": "SMD",
        "balance_note": "Standardised mean differences above 0.1 in absolute value are "
        "marked; the adjusted estimates below correct for them.",
        "exits": "Exits by destination and company placements (Tables 3–5)",
        "exits_note": "Status {lag} months after leaving kontanthjælp, exits up to {last}. "
        "Risk difference with Newcombe's interval; p from the two-proportion z "
        "test (Fisher's exact test where marked); Holm-adjusted p across the "
        "table; adjusted: regression adjustment for {covariates} ({se}).",
        "case_flow": "Preparatory plans, rehabilitation team and long-term recipients",
        "case_flow_note": "Recommendations of the rehabilitation team after a preparatory "
        "plan, in the outcome window; long-term recipients (≥ 3 years at "
        "the start) still on kontanthjælp at the trial's end (Table 6).",
        "outcome": "Outcome",
        "difference": "Difference (95 % CI)",
        "risk_ratio": "Risk ratio",
        "p": "p",
        "holm": "Holm p",
        "adjusted": "Adjusted (95 % CI)",
        "mde": "MDE",
        "verdict": "Verdict",
        "significant": "significant",
        "no_effect": "no effect found; a trial of this size could not find one below {mde}",
        "continuous": "Days on benefit, meetings and paid hours",
        "continuous_note": "Difference in means with Welch's interval and test.",
        "mean": "Mean",
        "long_term": "Long-term recipients: where they went (Table 6 and more)",
        "at_start": "At the start",
        "at_end": "Still on kontanthjælp at the end",
        "spells": "Length of benefit spells",
        "spells_note": "Time from the cohort's start until leaving kontanthjælp, censored at "
        "{last}. Kaplan–Meier curves with pointwise 95 % intervals; log-rank "
        "test; Cox hazard ratio of leaving (above 1 = trial citizens leave "
        "sooner); restricted mean time on kontanthjælp within {days} days.",
        "km_x": "Days since the start",
        "km_y": "Share still on kontanthjælp",
        "median": "Median (95 % CI)",
        "rmst": "Restricted mean days on kontanthjælp",
        "not_reached": "not reached",
        "hazard_ratio": "Hazard ratio (95 % CI)",
        "unadjusted": "Unadjusted",
        "adjusted_model": "Adjusted",
        "logrank": "Log-rank p",
        "ph_test": "Proportional hazards check (Grambsch–Therneau, global): p = {p:.3g}",
        "ph_bad": "The hazards are not proportional (p < 0.05): read the hazard ratio as an "
        "average over the window and rely on the curves and the restricted mean.",
        "competing": "Competing exits",
        "competing_note": "Cumulative incidence of each destination (Aalen–Johansen) at the "
        "end of follow-up, and cause-specific hazard ratios (other exits "
        "censored).",
        "incidence_at_end": "Cumulative incidence at the end",
        "timeliness": "Timely job meetings (Table 7)",
        "timeliness_note": "Held job meetings due in the trial period, and the share held by "
        "their due date (as Table 7).",
        "held_week": "Held per week",
        "timely_week": "On time per week",
        "share": "Share on time",
        "timely_y": "Held on time (%)",
        "staff": "Staff sick days and turnover (Tables 8–11)",
        "staff_note": "Per department and period: sick days per FTE (short, long) and external "
        "turnover per 100 staff. Descriptive: one trial department cannot be "
        "tested against five.",
        "department": "Department",
        "period": "Period",
        "fte": "FTE",
        "sick": "Sick days per FTE",
        "short": "short",
        "long": "long",
        "turnover": "External turnover (%)",
        "money": "Money",
        "money_note": "Months on kontanthjælp saved per trial citizen (difference in restricted "
        "mean) × {per_month:,.0f} DKK a month ({transfer:,.0f} transfer + "
        "{activation:,.0f} activation + {casework:,.0f} casework), against the "
        "extra caseworkers a caseload of {trial_cap} instead of {control_cap} "
        "needs at {salary:,.0f} DKK a year each.",
        "months_saved": "Months saved per citizen",
        "savings": "Savings (DKK)",
        "extra_fte": "Extra caseworkers (FTE)",
        "staff_cost": "Cost of extra staff (DKK)",
        "net": "Net result (DKK)",
        "break_even": "Break-even: months saved per citizen",
        "forest_x": "Difference, percentage points (▲ adjusted)",
        "balance_x": "Standardised mean difference (trial − control)",
        "s_significant": "{outcome}: {t:.1f} % in the trial arm vs {c:.1f} % in control "
        "({d:+.1f} pp, 95 % CI {lo:+.1f} to {hi:+.1f}; p = {p:.2g}).",
        "s_null": "{outcome}: no effect found ({d:+.1f} pp, 95 % CI {lo:+.1f} to {hi:+.1f}); "
        "a trial of this size could not have found an effect smaller than {mde:.1f} "
        "pp.",
        "s_spells": "Trial citizens spent {days:.0f} {direction} days on kontanthjælp within "
        "the window on average (95 % CI {lo:.0f} to {hi:.0f}); hazard ratio of "
        "leaving {hr:.2f} ({hlo:.2f}–{hhi:.2f}).",
        "fewer": "fewer",
        "more": "more",
        "s_money": "At the assumed costs the lower caseload saved {savings:,.0f} DKK against "
        "{cost:,.0f} DKK of extra staff: a net result of {net:,.0f} DKK (95 % CI "
        "{lo:,.0f} to {hi:,.0f}). It breaks even at {be:.2f} months saved per "
        "citizen.",
        "c_itt": "Effects are of being randomised to the trial arm (intention to treat), "
        "not of every citizen receiving the lower caseload.",
        "c_entrants": "{n} later entrants are not in the estimates; they were not randomised "
        "with the cohort.",
        "c_staff": "Sick days and turnover compare departments, not randomised units.",
        "c_money": "The money account counts kontanthjælp months only; effects on later "
        "benefits, taxes and the citizens' lives are not in it.",
        "c_window": "Outcomes after {end} are not observed.",
        "job": "Job",
        "small_job": "Small job",
        "education": "Education",
        "resource_course": "Resource course",
        "flex_job": "Flex job",
        "disability_pension": "Disability pension",
        "company_placement": "Company placement",
        "other": "Other",
        "kontanthjaelp": "Back on kontanthjælp",
        "preparatory_plan": "Preparatory plan",
        "recommended_resource_course": "Team: resource course",
        "recommended_flex_job": "Team: flex job",
        "recommended_disability_pension": "Team: disability pension",
        "recommended_postponed": "Team: postponed",
        "recommended_rejected": "Team: rejected",
        "long_term_still_on_kontanthjaelp": "Long-term, still on kontanthjælp",
        "days_on_kontanthjaelp": "Days on kontanthjælp",
        "meetings_held": "Meetings held",
        "paid_hours": "Paid hours",
        "women": "Women",
        "danish_origin": "Danish origin",
        "western_origin": "Western origin",
        "non_western_origin": "Non-western origin",
        "age_years": "Age (years)",
        "years_on_public_benefit": "Years on public benefit",
        "kontanthjaelp_3_years_or_more": "Kontanthjælp ≥ 3 years",
        "files": "Every table is also in {json} and as CSV files beside this report.",
        "made": "Made by caseload {version} in {seconds:.1f} s.",
    },
    "da": {
        "title": "Evaluering af {name}",
        "subtitle": "Lodtrækningsforsøg {code}: kohorten fastfrosset {start}; effekter til {end}",
        "summary": "Hvad forsøget viser",
        "cannot": "Hvad det ikke kan vise",
        "design": "Design og kohorte",
        "arm": "Gruppe",
        "trial": "Forsøg",
        "control": "Kontrol",
        "citizens": "Borgere",
        "later_entrants": "Senere tilgåede (ikke med i effektberegningen)",
        "srm": "Kontrol af gruppestørrelser: {treated} mod {control} ved P(forsøg) = {p:.3f}: "
        "χ² = {chi2:.2f}, p = {pvalue:.3g}",
        "srm_bad": "Gruppernes størrelse passer ikke med designet (p < 0,001): kontrollér "
        "lodtrækningen, før effekterne læses.",
        "balance": "Balance ved start (tabel 1–2)",
        "trait": "Kendetegn",
        "smd": "SMD",
        "balance_note": "Standardiserede forskelle over 0,1 i absolut værdi er markeret; de "
        "justerede estimater nedenfor korrigerer for dem.",
        "exits": "Afgange efter destination og virksomhedspraktik (tabel 3–5)",
        "exits_note": "Status {lag} måneder efter afgang fra kontanthjælp, afgange til og med "
        "{last}. Forskel med Newcombes interval; p fra z-test for to andele "
        "(Fishers eksakte test hvor markeret); Holm-justeret p over tabellen; "
        "justeret: regressionsjustering for {covariates} ({se}).",
        "case_flow": "Forberedende planer, rehabiliteringsteam og langvarige modtagere",
        "case_flow_note": "Rehabiliteringsteamets indstillinger efter en forberedende plan i "
        "perioden; langvarige modtagere (≥ 3 år ved start), der stadig er på "
        "kontanthjælp ved forsøgets slut (tabel 6).",
        "outcome": "Udfald",
        "difference": "Forskel (95 % KI)",
        "risk_ratio": "Relativ risiko",
        "p": "p",
        "holm": "Holm p",
        "adjusted": "Justeret (95 % KI)",
        "mde": "MDE",
        "verdict": "Konklusion",
        "significant": "signifikant",
        "no_effect": "ingen effekt fundet; et forsøg af denne størrelse kunne ikke finde en "
        "under {mde}",
        "continuous": "Dage på ydelse, samtaler og løntimer",
        "continuous_note": "Forskel i gennemsnit med Welchs interval og test.",
        "mean": "Gns.",
        "long_term": "Langvarige modtagere: hvor de gik hen (tabel 6 og mere)",
        "at_start": "Ved start",
        "at_end": "Stadig på kontanthjælp ved slut",
        "spells": "Varighed af ydelsesforløb",
        "spells_note": "Tid fra kohortens start til afgang fra kontanthjælp, censureret "
        "{last}. Kaplan–Meier-kurver med punktvise 95 %-intervaller; log-rank-"
        "test; Cox-hazard ratio for afgang (over 1 = forsøgsborgere går "
        "hurtigere); begrænset gennemsnitlig tid på kontanthjælp inden for "
        "{days} dage.",
        "km_x": "Dage siden start",
        "km_y": "Andel stadig på kontanthjælp",
        "median": "Median (95 % KI)",
        "rmst": "Begrænset gns. dage på kontanthjælp",
        "not_reached": "ikke nået",
        "hazard_ratio": "Hazard ratio (95 % KI)",
        "unadjusted": "Ujusteret",
        "adjusted_model": "Justeret",
        "logrank": "Log-rank p",
        "ph_test": "Kontrol af proportionale hazards (Grambsch–Therneau, samlet): p = {p:.3g}",
        "ph_bad": "Hazards er ikke proportionale (p < 0,05): læs hazard ratio som et "
        "gennemsnit over perioden, og støt dig til kurverne og det begrænsede "
        "gennemsnit.",
        "competing": "Konkurrerende afgange",
        "competing_note": "Kumuleret incidens for hver destination (Aalen–Johansen) ved "
        "opfølgningens slut og årsagsspecifikke hazard ratios (andre afgange "
        "censureret).",
        "incidence_at_end": "Kumuleret incidens ved slut",
        "timeliness": "Rettidige jobsamtaler (tabel 7)",
        "timeliness_note": "Afholdte jobsamtaler med frist i forsøgsperioden og andelen holdt "
        "senest på fristen (som tabel 7).",
        "held_week": "Afholdte pr. uge",
        "timely_week": "Rettidige pr. uge",
        "share": "Andel rettidige",
        "timely_y": "Holdt rettidigt (%)",
        "staff": "Sygefravær og personaleomsætning (tabel 8–11)",
        "staff_note": "Pr. afdeling og periode: sygedage pr. årsværk (kort, lang) og ekstern "
        "omsætning pr. 100 ansatte. Beskrivende: én forsøgsafdeling kan ikke "
        "testes mod fem.",
        "department": "Afdeling",
        "period": "Periode",
        "fte": "Årsværk",
        "sick": "Sygedage pr. årsværk",
        "short": "kort",
        "long": "lang",
        "turnover": "Ekstern omsætning (%)",
        "money": "Økonomi",
        "money_note": "Sparede måneder på kontanthjælp pr. forsøgsborger (forskel i begrænset "
        "gennemsnit) × {per_month:,.0f} kr. om måneden ({transfer:,.0f} "
        "forsørgelse + {activation:,.0f} aktivering + {casework:,.0f} "
        "sagsbehandling) mod de ekstra sagsbehandlere, en sagsstamme på "
        "{trial_cap} i stedet for {control_cap} kræver, à {salary:,.0f} kr. om "
        "året.",
        "months_saved": "Sparede måneder pr. borger",
        "savings": "Besparelse (kr.)",
        "extra_fte": "Ekstra sagsbehandlere (årsværk)",
        "staff_cost": "Udgift til ekstra personale (kr.)",
        "net": "Nettoresultat (kr.)",
        "break_even": "Break-even: sparede måneder pr. borger",
        "forest_x": "Forskel, procentpoint (▲ justeret)",
        "balance_x": "Standardiseret forskel (forsøg − kontrol)",
        "s_significant": "{outcome}: {t:.1f} % i forsøgsgruppen mod {c:.1f} % i kontrol "
        "({d:+.1f} pp, 95 % KI {lo:+.1f} til {hi:+.1f}; p = {p:.2g}).",
        "s_null": "{outcome}: ingen effekt fundet ({d:+.1f} pp, 95 % KI {lo:+.1f} til "
        "{hi:+.1f}); et forsøg af denne størrelse kunne ikke have fundet en effekt "
        "under {mde:.1f} pp.",
        "s_spells": "Forsøgsborgere var i gennemsnit {days:.0f} dage {direction} på "
        "kontanthjælp i perioden (95 % KI {lo:.0f} til {hi:.0f}); hazard ratio for "
        "afgang {hr:.2f} ({hlo:.2f}–{hhi:.2f}).",
        "fewer": "færre",
        "more": "flere",
        "s_money": "Med de antagne udgifter sparede den lavere sagsstamme {savings:,.0f} kr. "
        "mod {cost:,.0f} kr. til ekstra personale: et nettoresultat på {net:,.0f} "
        "kr. (95 % KI {lo:,.0f} til {hi:,.0f}). Den hviler i sig selv ved {be:.2f} "
        "sparede måneder pr. borger.",
        "c_itt": "Effekterne er af at blive trukket til forsøgsgruppen (intention to treat), "
        "ikke af at hver borger fik den lavere sagsstamme.",
        "c_entrants": "{n} senere tilgåede borgere er ikke med i estimaterne; de indgik ikke i "
        "lodtrækningen med kohorten.",
        "c_staff": "Sygefravær og omsætning sammenligner afdelinger, ikke lodtrukne enheder.",
        "c_money": "Regnestykket tæller kun måneder på kontanthjælp; effekter på senere "
        "ydelser, skat og borgernes liv er ikke med.",
        "c_window": "Udfald efter {end} er ikke observeret.",
        "job": "Job",
        "small_job": "Småjob",
        "education": "Uddannelse",
        "resource_course": "Ressourceforløb",
        "flex_job": "Fleksjob",
        "disability_pension": "Førtidspension",
        "company_placement": "Virksomhedspraktik",
        "other": "Andet",
        "kontanthjaelp": "Tilbage på kontanthjælp",
        "preparatory_plan": "Forberedende plan",
        "recommended_resource_course": "Team: ressourceforløb",
        "recommended_flex_job": "Team: fleksjob",
        "recommended_disability_pension": "Team: førtidspension",
        "recommended_postponed": "Team: udsat",
        "recommended_rejected": "Team: afvist",
        "long_term_still_on_kontanthjaelp": "Langvarige, stadig på kontanthjælp",
        "days_on_kontanthjaelp": "Dage på kontanthjælp",
        "meetings_held": "Afholdte samtaler",
        "paid_hours": "Løntimer",
        "women": "Kvinder",
        "danish_origin": "Dansk oprindelse",
        "western_origin": "Vestlig oprindelse",
        "non_western_origin": "Ikke-vestlig oprindelse",
        "age_years": "Alder (år)",
        "years_on_public_benefit": "År på offentlig forsørgelse",
        "kontanthjaelp_3_years_or_more": "Kontanthjælp ≥ 3 år",
        "files": "Alle tabeller findes også i {json} og som CSV-filer ved siden af rapporten.",
        "made": "Lavet af caseload {version} på {seconds:.1f} s.",
    },
}
