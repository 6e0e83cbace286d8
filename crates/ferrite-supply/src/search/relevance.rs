//! Relevance on a small catalogue: each way engineers write a value, a size, a package or a kind
//! finds the parts that answer it, first, and the best stocked of those before the rest.

use std::sync::Arc;

use ferrite_store::testing::TestDb;

use super::SearchRequest;
use crate::catalogue::Catalogue;

const RESISTORS: &str = "Resistors > Chip Resistor - Surface Mount";
const MLCC: &str = "Capacitors > Multilayer Ceramic Capacitors MLCC - SMD/SMT";
const OPAMPS: &str = "Amplifiers > Operational Amplifiers";

/// (mpn, manufacturer, category, stock, resistance, capacitance, inductance, package, tolerance,
/// description). Distractors share words with the queries: `100k` parts for `10k`, an inductor of
/// `100n`, a 0603 part in its metric spelling, banana plugs better stocked than USB-C receptacles.
#[rustfmt::skip]
const PARTS: &[[&str; 10]] = &[
    ["0603WAF1002T5E", "UNI-ROYAL", RESISTORS, "5000000", "10kΩ", "", "", "0603", "±1%", "10kΩ ±1% 100mW 0603 Thick Film Resistors"],
    ["RC0603FR-0710KL", "Yageo", RESISTORS, "200000", "10kΩ", "", "", "0603", "±1%", "10 kOhms 1% 0.1W 0603 chip resistor"],
    ["CRCW060310K0FKEA", "Vishay", RESISTORS, "1000", "10 kOhms", "", "", "0603 (1608 Metric)", "±1%", "RES SMD 10K OHM 1% 1/10W"],
    ["RC0402FR-0710KL", "Yageo", RESISTORS, "300000", "10kΩ", "", "", "0402", "±1%", "10kΩ 1% 0402 chip resistor"],
    ["0805W8F1002T5E", "UNI-ROYAL", RESISTORS, "800000", "10kΩ", "", "", "0805", "±1%", "10kΩ ±1% 125mW 0805 Thick Film Resistors"],
    ["0603WAF1003T5E", "UNI-ROYAL", RESISTORS, "4000000", "100kΩ", "", "", "0603", "±1%", "100kΩ ±1% 100mW 0603 Thick Film Resistors"],
    ["0603WAF4701T5E", "UNI-ROYAL", RESISTORS, "1000000", "4.7kΩ", "", "", "0603", "±1%", "4.7kΩ ±1% 100mW 0603 Thick Film Resistors"],
    ["0603WAJ0472T5E", "UNI-ROYAL", RESISTORS, "2000000", "4.7kΩ", "", "", "0603", "±5%", "4.7kΩ ±5% 100mW 0603 Thick Film Resistors"],
    ["0402WGF0000TCE", "UNI-ROYAL", RESISTORS, "900000", "0Ω", "", "", "0402", "", "0Ω 62.5mW 0402 Jumper"],
    ["ERJ-3EKF49R9V", "Panasonic", RESISTORS, "40000", "49.9Ω", "", "", "0603", "±1%", "RES SMD 49.9 OHM 1% 1/10W 0603"],
    ["RL2512FK-070R01L", "Yageo", RESISTORS, "30000", "10mΩ", "", "", "2512", "±1%", "10mΩ 1W 2512 current sense resistor"],
    ["0805W8F4120T5E", "UNI-ROYAL", RESISTORS, "70000", "412Ω", "", "", "0805", "±1%", "412Ω ±1% 125mW 0805 Thick Film Resistors"],
    ["CL10B104KB8NNNC", "Samsung", MLCC, "3000000", "", "100nF", "", "0603", "±10%", "100nF 50V X7R ±10% 0603 MLCC"],
    ["GRM155R71C104KA88D", "Murata", MLCC, "600000", "", "0.1µF", "", "0402", "±10%", "0.1µF 16V X7R 0402"],
    ["CL10A475KO8NNNC", "Samsung", MLCC, "500000", "", "4.7µF", "", "0603", "±10%", "4.7µF 16V X5R 0603"],
    ["CL10A225KO8NNNC", "Samsung", MLCC, "450000", "", "2.2µF", "", "0603", "±10%", "2.2µF 25V X5R 0603"],
    ["CL05C4R7CB5NNNC", "Samsung", MLCC, "100000", "", "4.7pF", "", "0402", "", "4.7pF 50V C0G 0402"],
    ["CL21A226MAQNNNE", "Samsung", MLCC, "350000", "", "22µF", "", "0805", "±20%", "22µF 25V X5R 0805"],
    ["EEE-FK1C101P", "Panasonic", "Capacitors > Aluminum Electrolytic Capacitors - SMD", "20000", "", "100µF", "", "", "±20%", "100µF 16V electrolytic can"],
    ["LQG18HN100N", "Murata", "Inductors > Inductors (SMD)", "9000000", "", "", "100nH", "0603", "", "100nH 0603 multilayer inductor"],
    ["LQW15AN12NJ00D", "Murata", "Inductors > Inductors (SMD)", "80000", "", "", "12nH", "0402", "", "12nH 0402 wirewound inductor"],
    ["TYPE-C-31-M-12", "Korean Hroparts Elec", "Connectors > USB Connectors", "60000", "", "", "", "SMD", "", "USB Type-C receptacle 16P SMD"],
    ["LM358", "HGSEMI", OPAMPS, "500", "", "", "", "SOP-8", "", "Dual operational amplifier"],
    ["LM358S", "Shenzhen Fuman Elec", OPAMPS, "1000", "", "", "", "SOP-8", "", "Dual op amp"],
    ["LM358DR2G", "onsemi", OPAMPS, "600000", "", "", "", "SOIC-8", "", "Dual operational amplifier"],
    ["LM358DR", "Texas Instruments", OPAMPS, "150000", "", "", "", "SOIC-8", "", "Dual operational amplifier"],
    ["BP-4MM-RED", "Cal Test", "Connectors > Banana Connectors", "5000000", "", "", "", "", "", "Banana connector 4mm plug red"],
];

async fn catalogue() -> (Arc<Catalogue>, TestDb) {
    let mut csv = String::from(
        "mpn,manufacturer,category,seller,sku,stock,spec:Resistance,spec:Capacitance,spec:Inductance,\
         spec:Package,spec:Tolerance,description\n",
    );
    for (i, [mpn, maker, category, stock, r, c, l, package, tolerance, description]) in PARTS.iter().enumerate() {
        csv += &format!("{mpn},{maker},{category},LCSC,C{i},{stock},{r},{c},{l},{package},{tolerance},{description}\n");
    }
    super::tests::catalogue_of(&csv).await
}

/// The MPNs `q` answers, best first.
async fn found(catalogue: &Catalogue, q: &str) -> Vec<String> {
    let ids = catalogue.search(SearchRequest { q: q.into(), limit: 10, ..Default::default() }).await.unwrap().part_ids;
    catalogue.parts(&ids).await.unwrap().iter().map(|p| p.part.mpn.clone()).collect()
}

/// Each query finds exactly the `answers` first, in that order, whatever else follows.
async fn first(catalogue: &Catalogue, cases: &[(&str, &[&str])]) {
    for (q, answers) in cases {
        let mpns = found(catalogue, q).await;
        assert_eq!(&mpns[..answers.len().min(mpns.len())], *answers, "{q:?} found {mpns:?}");
    }
}

#[tokio::test]
async fn resistances_in_every_spelling_find_their_resistors_best_stocked_first() {
    let (catalogue, _db) = catalogue().await;
    let ten_k_0603: &[&str] = &["0603WAF1002T5E", "RC0603FR-0710KL", "CRCW060310K0FKEA"];
    first(
        &catalogue,
        &[
            ("10k 0603", ten_k_0603),
            ("10K 0603 resistor", ten_k_0603),
            ("10kΩ 0603", ten_k_0603),
            ("10 kOhm 0603 res", ten_k_0603),
            ("10k 1608", ten_k_0603),
            ("10k 0402", &["RC0402FR-0710KL"]),
            ("4k7 0603", &["0603WAJ0472T5E", "0603WAF4701T5E"]),
            ("4.7k 0603 1%", &["0603WAF4701T5E"]),
            ("4k7 0603 resistor 5%", &["0603WAJ0472T5E"]),
            ("0R 0402", &["0402WGF0000TCE"]),
            ("0E 0402 resistor", &["0402WGF0000TCE"]),
            ("0 0402 resistor", &["0402WGF0000TCE"]),
            ("49R9 0603", &["ERJ-3EKF49R9V"]),
            ("0R01 2512", &["RL2512FK-070R01L"]),
            ("412R 0805 resistor", &["0805W8F4120T5E"]),
            ("412 0805 resistor", &["0805W8F4120T5E"]),
        ],
    )
    .await;
    // Every part that answers comes before any that only shares words ("0603", "10k" in "100k").
    let mpns = found(&catalogue, "10k 0603 resistor").await;
    assert_eq!(&mpns[..3], ten_k_0603);
    assert!(!mpns[..3].contains(&"0603WAF1003T5E".to_owned()));
}

#[tokio::test]
async fn capacitances_and_inductances_in_every_spelling() {
    let (catalogue, _db) = catalogue().await;
    first(
        &catalogue,
        &[
            ("100nF 0603 capacitor", &["CL10B104KB8NNNC"]),
            ("0.1uF 0603", &["CL10B104KB8NNNC"]),
            (".1u 0402 cap", &["GRM155R71C104KA88D"]),
            ("100n 0402 capacitor", &["GRM155R71C104KA88D"]),
            ("4u7 0603", &["CL10A475KO8NNNC"]),
            ("2u2 0603 capacitor", &["CL10A225KO8NNNC"]),
            ("2.2 uF 0603", &["CL10A225KO8NNNC"]),
            ("4p7 0402", &["CL05C4R7CB5NNNC"]),
            ("4.7 pF 0402 C0G", &["CL05C4R7CB5NNNC"]),
            ("22u 0805 MLCC", &["CL21A226MAQNNNE"]),
            ("100uF electrolytic", &["EEE-FK1C101P"]),
            ("100n inductor", &["LQG18HN100N"]),
            ("100nH 0603", &["LQG18HN100N"]),
            ("12nH 0402 inductor", &["LQW15AN12NJ00D"]),
        ],
    )
    .await;
    // `100n 0603` could be a capacitor or an inductor: the best stocked answer (the inductor)
    // is one of them, and a capacitor query never finds it first.
    let either = found(&catalogue, "100n 0603").await;
    assert_eq!(either[..2].iter().filter(|m| ["LQG18HN100N", "CL10B104KB8NNNC"].contains(&m.as_str())).count(), 2);
    assert_eq!(found(&catalogue, "100n 0603 capacitor").await[0], "CL10B104KB8NNNC");
}

#[tokio::test]
async fn kinds_and_synonyms_rank_what_is_meant_above_what_is_stocked() {
    let (catalogue, _db) = catalogue().await;
    first(
        &catalogue,
        &[
            ("usb-c connector", &["TYPE-C-31-M-12"]),
            ("type-c connectors", &["TYPE-C-31-M-12"]),
            ("ceramic capacitor 100nF", &["CL10B104KB8NNNC", "GRM155R71C104KA88D"]),
            ("banana connector", &["BP-4MM-RED"]),
        ],
    )
    .await;
    let capacitors = found(&catalogue, "capacitors").await;
    assert_eq!(capacitors.len(), 7, "every capacitor and nothing else: {capacitors:?}");
    assert_eq!(capacitors[0], "CL10B104KB8NNNC", "the best stocked first");
}

#[tokio::test]
async fn mpns_and_words_search_as_before() {
    let (catalogue, _db) = catalogue().await;
    first(
        &catalogue,
        &[
            ("RC0603FR-0710KL", &["RC0603FR-0710KL"]),
            ("rc0603fr0710kl", &["RC0603FR-0710KL"]),
            ("ERJ-3EKF49R9V", &["ERJ-3EKF49R9V"]),
            ("yageo 10k 0603", &["RC0603FR-0710KL"]),
            ("murata inductor 12nH", &["LQW15AN12NJ00D"]),
            ("thick film", &["0603WAF1002T5E", "0603WAF1003T5E"]),
        ],
    )
    .await;
    assert!(found(&catalogue, "10k 0603 zzzz").await.starts_with(&["0603WAF1002T5E".to_owned()]), "an unknown word");
    assert!(found(&catalogue, "qqqq").await.is_empty());
}

#[tokio::test]
async fn words_no_part_holds_are_left_out_and_reported_with_the_nearest_word() {
    let (catalogue, _db) = catalogue().await;
    let search = |q: &str| SearchRequest { q: q.into(), limit: 10, ..Default::default() };
    let result = catalogue.search(search("banana conector zzzq")).await.unwrap();
    assert_eq!(
        result.dropped,
        [("conector".to_owned(), Some("connector".to_owned())), ("zzzq".to_owned(), None)],
        "each unknown word, with its nearest known one"
    );
    assert_eq!(found(&catalogue, "banana conector zzzq").await[0], "BP-4MM-RED", "searched as \"banana\"");
    assert!(catalogue.search(search("banana connector")).await.unwrap().dropped.is_empty());
    // A word that is an MPN's beginning is held, though no text token is it.
    assert!(catalogue.search(search("RC0603FR")).await.unwrap().dropped.is_empty());
    assert_eq!(catalogue.search(search("zzzq")).await.unwrap().hits, 0, "nothing left to search for");
}

#[tokio::test]
async fn an_mpn_finds_its_exact_part_first_then_its_family_best_stocked_first() {
    let (catalogue, _db) = catalogue().await;
    let request = SearchRequest { q: "LM358".into(), mpn_only: true, limit: 10, ..Default::default() };
    let ids = catalogue.search(request).await.unwrap().part_ids;
    let mpns: Vec<String> = catalogue.parts(&ids).await.unwrap().iter().map(|p| p.part.mpn.clone()).collect();
    assert_eq!(mpns, ["LM358", "LM358DR2G", "LM358DR", "LM358S"], "not the shortest MPNs first");
    first(&catalogue, &[("LM358 soic-8", &["LM358DR2G", "LM358DR"]), ("opamp", &["LM358DR2G"])]).await;
}
