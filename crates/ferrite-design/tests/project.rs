//! Making projects of design files on a real store: parts link to the catalogue by MPN and
//! manufacturer, and a file that does not parse stores nothing and keeps the upload.

use chrono::{TimeZone, Utc};
use ferrite_design::project::{CreateError, DEFAULT_VARIANT, Upload, create_project};
use ferrite_store::{
    NewDesignFile, Store,
    testing::{self, TestDb},
};

const KICAD: &str = r#"<export version="D"><components>
  <comp ref="R1"><value>A</value><fields><field name="manf#">test-00001</field><field name="manf">TESTCO</field></fields></comp>
  <comp ref="R2"><value>A</value><fields><field name="manf#">TEST00001</field></fields></comp>
  <comp ref="R3"><value>B</value><fields><field name="manf#">TEST-00002</field><field name="manf">Someone Else</field></fields></comp>
  <comp ref="R4"><value>C</value><fields><field name="manf#">NOT-IN-CATALOGUE</field></fields></comp>
  <comp ref="J1"><value>CONN</value><footprint>Header_1x02</footprint></comp>
</components></export>"#;

/// (name, quantity, designators, linked supply part per manufacturer part)
type Summary = (String, i64, Vec<String>, Vec<Option<i64>>);

#[tokio::test]
async fn a_kicad_file_becomes_a_project_linked_to_the_catalogue_or_nothing_at_all() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    testing::write_synthetic_parts(&store, 2).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let user = store.create_user("ada@example.com", "ada@example.com", "h", now).await.unwrap();
    let org = store.create_org("Acme", user.id, &[], 0, now).await.unwrap();
    let workspace = store.default_workspace(org.id).await.unwrap();
    let upload = |bytes: &str, file| Upload {
        workspace: workspace.id,
        name: " Board ".into(),
        description: "rev A".into(),
        created_by: user.id.to_string(),
        file_name: "board.xml".into(),
        bytes: bytes.as_bytes().to_vec(),
        file,
    };

    // A file that does not parse: refused with its line, nothing stored, the upload kept.
    let bad = NewDesignFile {
        org: org.id,
        uploader: "ada",
        client_id: "c",
        name: "bad.xml",
        content: b"<export>",
        expires_at: now + chrono::Duration::hours(1),
    };
    let quota = ferrite_store::UploadQuota { per_uploader: 1 << 20, per_org: 1 << 20 };
    let bad = store.save_design_file(&bad, quota, now).await.unwrap();
    let refused =
        create_project(&store, upload("<export>\n<components>\n<comp/>\n</components></export>", Some(bad.id)), now)
            .await
            .unwrap_err();
    assert!(matches!(refused, CreateError::Parse(_)), "{refused}");
    assert!(refused.to_string().contains("line 3: a <comp> element has no `ref`"), "{refused}");
    assert_eq!(store.count_projects(workspace.id, None, None).await.unwrap(), 0);
    assert!(store.design_file(bad.id, now).await.is_ok());
    let unnamed = create_project(&store, Upload { name: "  ".into(), ..upload(KICAD, None) }, now).await;
    assert!(matches!(unnamed, Err(CreateError::Invalid(_))));

    let project = create_project(&store, upload(KICAD, None), now).await.unwrap();
    assert_eq!(project.name, "Board");
    let variants = store.design_variants(project.id).await.unwrap();
    assert_eq!(variants[0].name, DEFAULT_VARIANT);
    let items = store.bom_items(&variants[0].id).await.unwrap();
    let summary: Vec<Summary> = items
        .iter()
        .map(|i| {
            (
                i.name.clone(),
                i.quantity,
                i.instances.iter().map(|(d, _)| d.clone()).collect(),
                i.manufacturer_parts.iter().map(|p| p.supply_part_id).collect(),
            )
        })
        .collect();
    let test1 = store.catalogue().part_ids_by_mpn_key("TEST00001").await.unwrap()[0];
    assert_eq!(
        summary,
        vec![
            ("CONN".into(), 1, vec!["J1".into()], vec![]),
            // TEST-00001 spelled two ways, named by its maker once: one item, linked.
            ("A".into(), 2, vec!["R1".into(), "R2".into()], vec![Some(test1)]),
            // Its MPN is in the catalogue, but by another maker than the BOM names.
            ("B".into(), 1, vec!["R3".into()], vec![None]),
            ("C".into(), 1, vec!["R4".into()], vec![None]),
        ]
    );
    let parameters = store.project_parameters(project.id).await.unwrap();
    assert!(parameters.contains(&("SourceFormat".into(), "KiCad XML".into())), "{parameters:?}");
    assert!(parameters.contains(&("Components".into(), "5".into())));
}

/// A migrated store with an organization: on SQLite, and on PostgreSQL when
/// `FERRITE_TEST_POSTGRES_URL` names a server.
async fn backends() -> Vec<(Store, ferrite_core::design::Workspace, TestDb)> {
    let mut out = Vec::new();
    for db in TestDb::each_backend().await {
        let store = db.store.clone();
        let now = Utc::now();
        let user = store.create_user("ada@example.com", "ada@example.com", "h", now).await.unwrap();
        let org = store.create_org("Acme", user.id, &[], 0, now).await.unwrap();
        let workspace = store.default_workspace(org.id).await.unwrap();
        out.push((store, workspace, db));
    }
    out
}

fn upload_of(workspace: &ferrite_core::design::Workspace, bytes: Vec<u8>) -> Upload {
    Upload {
        workspace: workspace.id,
        name: "Board".into(),
        description: String::new(),
        created_by: "ada".into(),
        file_name: "bom.csv".into(),
        bytes,
        file: None,
    }
}

#[tokio::test]
async fn a_nul_byte_in_a_bom_cell_is_refused_naming_its_line() {
    for (store, workspace, _dir) in backends().await {
        let bom = b"References,Qty,MPN,Description\nR1,1,TEST-00001,fine\nR2,1,TEST-00002,bad\0cell\n".to_vec();
        let refused = create_project(&store, upload_of(&workspace, bom), Utc::now()).await.unwrap_err();
        assert!(matches!(refused, CreateError::Parse(ref e) if e.line == Some(3)), "{refused:?}");
        assert!(refused.to_string().contains("line 3: the file holds a NUL character"), "{refused}");
        assert_eq!(store.count_projects(workspace.id, None, None).await.unwrap(), 0);
    }
}

/// Issue 13: the portal's page of a 40,000-line BOM read the matched parts' offers with one SQL
/// parameter per part, past SQLite's limit.
#[tokio::test]
async fn a_bom_of_40000_lines_is_linked_and_its_offers_read() {
    const LINES: usize = 40_000;
    for (store, workspace, _dir) in backends().await {
        testing::write_synthetic_parts(&store, LINES).await.unwrap();
        let mut bom = String::from("References,Qty,Manufacturer,MPN\n");
        for n in 1..=LINES {
            bom.push_str(&format!("R{n},1,Testco,TEST-{n:05}\n"));
        }
        let project = create_project(&store, upload_of(&workspace, bom.into_bytes()), Utc::now()).await.unwrap();
        let variant = &store.design_variants(project.id).await.unwrap()[0];
        let items = store.bom_items(&variant.id).await.unwrap();
        assert_eq!(items.len(), LINES);
        let mut ids: Vec<i64> = items.iter().filter_map(|i| i.manufacturer_parts[0].supply_part_id).collect();
        assert_eq!(ids.len(), LINES, "every line matched");
        ids.reverse();
        let offers = store.catalogue().offers_of_parts(&ids).await.unwrap();
        assert_eq!(offers.len(), LINES);
        assert!(offers.windows(2).all(|w| w[0].part_id < w[1].part_id), "by part");
        let parts = store.catalogue().parts_by_ids(&ids).await.unwrap();
        assert_eq!(parts.iter().map(|p| p.id).collect::<Vec<_>>(), ids, "in the order asked");
        let with_offers = store.catalogue().parts_with_offers(&[&ids[..], &ids[..10]].concat()).await.unwrap();
        assert_eq!(with_offers.len(), LINES, "an id asked twice is answered once");
        assert_eq!(with_offers[0].0.id, ids[0]);
        assert!(with_offers.iter().all(|(_, offers)| offers.len() == 1));
    }
}
