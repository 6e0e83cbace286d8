//! Making projects of design files on a real store: parts link to the catalogue by MPN and
//! manufacturer, and a file that does not parse stores nothing and keeps the upload.

use chrono::{TimeZone, Utc};
use ferrite_design::project::{CreateError, DEFAULT_VARIANT, Upload, create_project};
use ferrite_store::{ConnectOptions, NewDesignFile, Store, testing};

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
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("f.db").display()), &ConnectOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    testing::write_synthetic_parts(&store, 2).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let user = store.create_user("ada@example.com", "ada@example.com", "h", now).await.unwrap();
    let org = store.create_org("Acme", user.id, &[], now).await.unwrap();
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
    let bad = store.save_design_file(&bad, now).await.unwrap();
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
    let test1 = store.part_ids_by_mpn_key("TEST00001").await.unwrap()[0];
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
