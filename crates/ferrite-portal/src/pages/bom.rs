//! A project's page: its BOM as a buying tool and the project's own forms. For a build quantity,
//! each line's need, the offer it would be bought from (`pricing::plan_line`: MOQ and order
//! multiples respected), whether stock covers it, the alternates when it does not (other offers,
//! the line's other parts, else a similar part), and the board
//! and build totals in the viewer's currency; the same costing exported as CSV and XLSX. The
//! project can be renamed, deleted, and uploaded anew as a revision (earlier ones stay readable).

use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Multipart, Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use ferrite_core::{ProjectId, design::Workspace, money::ExchangeRates, plan::thousands, slug::part_page};
use ferrite_design::project::{add_revision, validate_description, validate_name};
use ferrite_store::{BomItemRecord, ProjectRecord, RevisionRecord};
use ferrite_supply::{
    catalogue::{Dictionary, PartView},
    pricing::{Availability, Buy, plan_line},
    similar::similar_parts,
};

use super::{
    design::{DesignForm, refusal, workspace},
    name,
};
use crate::{
    error::{PortalError, internal},
    forms::FormData,
    member::Member,
    state::Portal,
    views::{Shell, datetime},
};

/// The largest build quantity the tool prices.
pub const MAX_BUILD: i64 = 1_000_000;

/// What the BOM is costed for: `?build=…&currency=…&revision=…`, all optional.
#[derive(Debug, Default, serde::Deserialize)]
pub struct BomQuery {
    build: Option<String>,
    currency: Option<String>,
    revision: Option<i64>,
}

/// A project's BOM costed for a build: its lines and totals.
pub struct Costing {
    pub build: i64,
    pub currency: String,
    pub lines: Vec<CostedLine>,
    /// The sum of the lines' orders, and what that makes each board cost.
    pub build_total: f64,
    pub board_total: f64,
    pub matched: usize,
    /// Lines no offer covers (short, or none in stock), and matched lines with no price.
    pub short: usize,
    pub unpriced: usize,
}

pub struct CostedLine {
    pub designators: String,
    pub per_board: i64,
    pub needed: i64,
    pub name: String,
    pub description: String,
    pub manufacturer: String,
    pub mpn: String,
    pub part_page: Option<String>,
    /// The catalogue part the line is bought as.
    pub part_id: Option<i64>,
    /// `matched`, `unmatched` or `no-mpn`: a CSS class and the test's handle.
    pub status: &'static str,
    pub status_text: &'static str,
    pub choice: Option<Offer>,
    pub availability: Availability,
    pub alternates: Vec<Offer>,
}

/// An offer a line would be bought from, with its seller's name, and the MPN when it is another
/// part than the line's first: one of its alternates, or a similar part.
pub struct Offer {
    pub seller: String,
    pub mpn: Option<String>,
    pub buy: Buy,
}

impl CostedLine {
    pub fn needed_text(&self) -> String {
        thousands(self.needed)
    }

    /// The line's name when it says more than its MPN (a CSV BOM names a line by it).
    pub fn name_beside_mpn(&self) -> Option<&str> {
        Some(self.name.as_str()).filter(|name| !name.is_empty() && !name.eq_ignore_ascii_case(&self.mpn))
    }

    /// `enough`, `short` or `none`: the availability's CSS class (its colour).
    pub fn availability_class(&self) -> &'static str {
        match self.availability {
            Availability::Enough => "enough",
            Availability::Short(_) => "short",
            Availability::None => "none",
        }
    }

    /// The availability in words; empty for a line with nothing to buy.
    pub fn availability_words(&self) -> String {
        match self.availability {
            _ if self.status != "matched" || self.needed == 0 => String::new(),
            Availability::Enough => "Enough".into(),
            Availability::Short(n) => format!("Short by {}", thousands(n)),
            Availability::None => "None in stock".into(),
        }
    }
}

/// Amounts as the page shows them: unit prices to four decimals, totals to two.
impl Offer {
    pub fn quantity(&self) -> String {
        thousands(self.buy.quantity)
    }

    pub fn stock(&self) -> String {
        thousands(self.buy.stock)
    }

    pub fn unit_price(&self) -> String {
        format!("{:.4}", self.buy.unit_price)
    }

    pub fn extended(&self) -> String {
        format!("{:.2}", self.buy.extended)
    }
}

impl Costing {
    pub fn totals(&self) -> (String, String) {
        (format!("{:.2}", self.build_total), format!("{:.2}", self.board_total))
    }
}

/// Reads the build quantity: 1 when absent, else a whole number from 1 to [`MAX_BUILD`].
fn build_quantity(text: Option<&str>) -> Result<i64, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(1),
        Some(text) => text.replace([',', '_'], "").parse::<i64>().ok().filter(|n| (1..=MAX_BUILD).contains(n)).ok_or(
            format!("The build quantity must be a whole number from 1 to {}; “{text}” is not.", thousands(MAX_BUILD)),
        ),
    }
}

/// The project at the path, if its workspace is one of the person's organizations'.
async fn project_at(
    portal: &Portal,
    member: &Member,
    slug: &str,
    id: &str,
) -> Result<(Workspace, ProjectRecord), PortalError> {
    let workspace = workspace(portal, member, slug).await?;
    let id: ProjectId = id.parse().map_err(|_| PortalError::NotFound)?;
    let project = portal.store().project_by_id(id).await?;
    if project.workspace_id != workspace.id {
        return Err(PortalError::NotFound);
    }
    Ok((workspace, project))
}

/// The revision asked for when it is one of the project's and not its current one (newest first
/// in `revisions`); `None` stands for the current one.
fn earlier_revision(revisions: &[RevisionRecord], asked: Option<i64>) -> Option<i64> {
    let current = revisions.first().map(|r| r.number);
    asked.filter(|n| Some(*n) != current && revisions.iter().any(|r| r.number == *n))
}

/// The BOM of the project's revision (`None`: its current one), costed for `build` in `currency`.
async fn cost(
    portal: &Portal,
    project: ProjectId,
    revision: Option<i64>,
    build: i64,
    currency: &str,
) -> Result<Costing, PortalError> {
    let store = portal.store();
    let variant = store.revision_variants(project, revision).await?.into_iter().next();
    let items = match &variant {
        Some(v) => store.bom_items(&v.id).await?,
        None => Vec::new(),
    };
    let part_ids: Vec<i64> =
        items.iter().flat_map(|i| i.manufacturer_parts.iter().filter_map(|p| p.supply_part_id)).collect();
    // Through the API's catalogue and its cache of parts, so the page and the API price alike.
    let catalogue = &portal.catalogue;
    let parts: HashMap<i64, _> =
        catalogue.parts(&part_ids).await?.into_iter().map(|view| (view.part.id, view)).collect();
    let (dictionary, rates) = (catalogue.dictionary(), catalogue.rates());
    let mut lines: Vec<CostedLine> =
        items.into_iter().map(|item| cost_line(&dictionary, &rates, &parts, item, build, currency)).collect();
    substitute(portal, &dictionary, &rates, &parts, &mut lines, currency).await?;
    let build_total: f64 = lines.iter().filter_map(|l| l.choice.as_ref()).map(|o| o.buy.extended).sum();
    let matched = lines.iter().filter(|l| l.status == "matched").count();
    Ok(Costing {
        build,
        currency: currency.to_owned(),
        build_total,
        board_total: build_total / build as f64,
        matched,
        short: lines
            .iter()
            .filter(|l| l.status == "matched" && l.needed > 0 && l.availability != Availability::Enough)
            .count(),
        unpriced: lines.iter().filter(|l| l.status == "matched" && l.needed > 0 && l.choice.is_none()).count(),
        lines,
    })
}

/// Short lines that list substitutes at most: each costs a search.
const SUBSTITUTED_LINES: usize = 20;

/// Short lines with no other offer in stock get a similar part's (`ferrite_supply::similar`: its
/// category and key specs, in stock) as their alternate, for the first [`SUBSTITUTED_LINES`].
async fn substitute(
    portal: &Portal,
    dictionary: &Dictionary,
    rates: &ExchangeRates,
    parts: &HashMap<i64, std::sync::Arc<PartView>>,
    lines: &mut [CostedLine],
    currency: &str,
) -> Result<(), PortalError> {
    let short = lines.iter_mut().filter(|l| l.needed > 0 && l.availability != Availability::Enough);
    for line in short.filter(|l| l.alternates.is_empty()).take(SUBSTITUTED_LINES) {
        let Some(part) = line.part_id.and_then(|id| parts.get(&id)) else { continue };
        let Some((request, _)) = similar_parts(&part.part, dictionary, 1) else { continue };
        let found = portal.catalogue.search(request).await.map_err(|err| PortalError::Internal(err.to_string()))?;
        let Some(like) = found.part_ids.into_iter().find(|id| *id != part.part.id) else { continue };
        let Some(like) = portal.catalogue.parts(&[like]).await?.into_iter().next() else { continue };
        if let Some(buy) = plan_line(&like.offers, line.needed, rates, currency).choice.filter(|b| b.stock > 0) {
            let seller = name(&dictionary.sellers, buy.seller_id).to_owned();
            line.alternates.push(Offer { seller, mpn: Some(like.part.mpn.clone()), buy });
        }
    }
    Ok(())
}

fn cost_line(
    dictionary: &Dictionary,
    rates: &ExchangeRates,
    parts: &HashMap<i64, std::sync::Arc<PartView>>,
    item: BomItemRecord,
    build: i64,
    currency: &str,
) -> CostedLine {
    let seller = |id: i64| name(&dictionary.sellers, id).to_owned();
    let needed = item.quantity.saturating_mul(build);
    let first = item.manufacturer_parts.first();
    let mut linked = item.manufacturer_parts.iter().filter_map(|p| Some((p, parts.get(&p.supply_part_id?)?)));
    let (status, status_text) = match (first, item.manufacturer_parts.iter().any(|p| p.supply_part_id.is_some())) {
        (_, true) => ("matched", "Matched"),
        (Some(_), false) => ("unmatched", "Not in catalogue"),
        (None, false) => ("no-mpn", "No MPN"),
    };
    let chosen = linked.next();
    let plan = chosen.map(|(_, part)| plan_line(&part.offers, needed, rates, currency));
    let mut alternates: Vec<Offer> = Vec::new();
    let (choice, availability) = match plan {
        Some(plan) => {
            let offer = |buy: Buy, mpn: Option<String>| Offer { seller: seller(buy.seller_id), mpn, buy };
            alternates.extend(plan.alternates.into_iter().map(|buy| offer(buy, None)));
            if plan.availability != Availability::Enough {
                // The line's other parts, where one of them has stock.
                for (record, part) in linked {
                    let other = plan_line(&part.offers, needed, rates, currency);
                    if let Some(buy) = other.choice.filter(|b| b.stock > 0) {
                        alternates.push(offer(buy, Some(record.part_number.clone())));
                    }
                }
            }
            (plan.choice.map(|buy| offer(buy, None)), plan.availability)
        }
        None => (None, Availability::None),
    };
    let part = chosen.map(|(_, part)| part);
    CostedLine {
        designators: item.instances.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>().join(", "),
        per_board: item.quantity,
        needed,
        name: item.name.clone(),
        description: item.description.clone(),
        manufacturer: part
            .map(|p| name(&dictionary.manufacturers, p.part.manufacturer_id).to_owned())
            .or_else(|| first.map(|p| p.company_name.clone()))
            .unwrap_or_default(),
        mpn: chosen.map(|(p, _)| p).or(first).map(|p| p.part_number.clone()).unwrap_or_default(),
        part_page: part.map(|p| {
            let page = part_page(&p.part.mpn, name(&dictionary.manufacturers, p.part.manufacturer_id), p.part.id);
            format!("{page}?currency={currency}")
        }),
        part_id: part.map(|p| p.part.id),
        status,
        status_text,
        choice,
        availability,
        alternates,
    }
}

#[derive(Template)]
#[template(path = "project.html")]
pub struct ProjectPageView {
    pub shell: Shell,
    pub slug: String,
    pub workspace: String,
    pub id: String,
    pub name: String,
    pub description: String,
    pub created: String,
    pub parameters: Vec<(String, String)>,
    pub revisions: Vec<RevisionRow>,
    /// The revision shown when it is not the current one.
    pub old_revision: Option<i64>,
    pub costing: Costing,
    pub currencies: Vec<String>,
    /// The build quantity as typed, and why it was refused.
    pub build_text: String,
    pub build_error: Option<String>,
    /// The query string of the exports: the same costing.
    pub export_query: String,
    /// A refused rename or revision: why.
    pub form_error: Option<String>,
}

pub struct RevisionRow {
    pub number: i64,
    pub source_file: String,
    pub created: String,
}

/// The costing the query asks for: its build quantity (or why it was refused) and currency.
fn read_query(portal: &Portal, query: &BomQuery) -> (i64, Option<String>, String) {
    let (build, error) = match build_quantity(query.build.as_deref()) {
        Ok(build) => (build, None),
        Err(why) => (1, Some(why)),
    };
    let rates = portal.catalogue.rates();
    let currency = query.currency.as_deref().map(|c| c.trim().to_uppercase()).filter(|c| rates.knows(c));
    (build, error, currency.unwrap_or_else(|| "USD".to_owned()))
}

async fn project_page(
    portal: &Portal,
    member: &Member,
    (workspace, project): (Workspace, ProjectRecord),
    query: &BomQuery,
    form_error: Option<String>,
) -> Result<ProjectPageView, PortalError> {
    let store = portal.store();
    let revisions = store.revisions(project.id).await?;
    let shown = earlier_revision(&revisions, query.revision);
    let (build, build_error, currency) = read_query(portal, query);
    let costing = cost(portal, project.id, shown, build, &currency).await?;
    let mut currencies: Vec<String> = portal.catalogue.rates().0.keys().cloned().collect();
    if !currencies.iter().any(|c| c == "USD") {
        currencies.insert(0, "USD".into());
    }
    let mut export_query = format!("build={build}&currency={currency}");
    if let Some(n) = shown {
        export_query.push_str(&format!("&revision={n}"));
    }
    Ok(ProjectPageView {
        shell: member.shell("designs"),
        slug: workspace.slug,
        workspace: workspace.name,
        id: project.id.to_string(),
        name: project.name,
        description: project.description,
        created: datetime(project.created_at),
        parameters: store.project_parameters(project.id).await?,
        revisions: revisions
            .into_iter()
            .map(|r| RevisionRow { number: r.number, source_file: r.source_file, created: datetime(r.created_at) })
            .collect(),
        old_revision: shown,
        costing,
        currencies,
        build_text: query.build.clone().unwrap_or_else(|| "1".into()),
        build_error,
        export_query,
        form_error,
    })
}

pub async fn show(
    State(portal): State<Portal>,
    member: Member,
    Path((slug, id)): Path<(String, String)>,
    Query(query): Query<BomQuery>,
) -> Result<Response, PortalError> {
    let found = project_at(&portal, &member, &slug, &id).await?;
    let page = project_page(&portal, &member, found, &query, None).await?;
    let status = if page.build_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(member.page_with(&page, status))
}

/// The rename form (`name`, `description`).
pub async fn update(
    State(portal): State<Portal>,
    member: Member,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    let found = project_at(&portal, &member, &slug, &id).await?;
    let valid = validate_name(form.get("name")).and_then(|n| Ok((n, validate_description(form.get("description"))?)));
    match valid {
        Ok((name, description)) => {
            portal.store().update_project(found.1.id, &name, &description, portal.now()).await?;
            Ok(Redirect::to(&format!("/workspaces/{slug}/projects/{id}")).into_response())
        }
        Err(err) => refuse(&portal, &member, found, refusal(err)?).await,
    }
}

/// The revision form (multipart `file`): the project's design uploaded anew.
pub async fn revise(
    State(portal): State<Portal>,
    member: Member,
    Path((slug, id)): Path<(String, String)>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PortalError> {
    let form = DesignForm::read(&member, form).await?;
    let found = project_at(&portal, &member, &slug, &id).await?;
    let Some((file_name, bytes)) = form.file else {
        return refuse(&portal, &member, found, "Choose a design file to upload.".into()).await;
    };
    let created_by = member.user.id.to_string();
    match add_revision(portal.store(), found.1.id, created_by, file_name, bytes, portal.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/workspaces/{slug}/projects/{id}")).into_response()),
        Err(err) => refuse(&portal, &member, found, refusal(err)?).await,
    }
}

/// The project's page again, with why its form was refused.
async fn refuse(
    portal: &Portal,
    member: &Member,
    found: (Workspace, ProjectRecord),
    why: String,
) -> Result<Response, PortalError> {
    let page = project_page(portal, member, found, &BomQuery::default(), Some(why)).await?;
    Ok(member.page_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
}

#[derive(Template)]
#[template(path = "project_delete.html")]
pub struct DeletePage {
    pub shell: Shell,
    pub slug: String,
    pub id: String,
    pub name: String,
    pub revisions: usize,
}

pub async fn confirm_delete(
    State(portal): State<Portal>,
    member: Member,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PortalError> {
    let (workspace, project) = project_at(&portal, &member, &slug, &id).await?;
    let revisions = portal.store().revisions(project.id).await?.len();
    Ok(member.page(&DeletePage {
        shell: member.shell("designs"),
        slug: workspace.slug,
        id,
        name: project.name,
        revisions,
    }))
}

pub async fn delete(
    State(portal): State<Portal>,
    member: Member,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    let (workspace, project) = project_at(&portal, &member, &slug, &id).await?;
    if form.get("confirm") != "yes" {
        return Ok(Redirect::to(&format!("/workspaces/{slug}/projects/{id}/delete")).into_response());
    }
    portal.store().delete_project(project.id).await?;
    Ok(Redirect::to(&format!("/workspaces/{}?deleted=1", workspace.slug)).into_response())
}

/// The export's columns, in order.
const COLUMNS: [&str; 16] = [
    "Designators",
    "Quantity per board",
    "Quantity needed",
    "Name",
    "Description",
    "Manufacturer",
    "MPN",
    "Match",
    "Seller",
    "SKU",
    "Order quantity",
    "Unit price",
    "Extended price",
    "Currency",
    "Stock",
    "Availability",
];

/// Where the totals' amount and currency stand: under the lines' extended prices and currency.
fn column(title: &str) -> usize {
    COLUMNS.iter().position(|c| *c == title).expect("one of the export's columns")
}

/// A line's cells in [`COLUMNS`] order: text, or numbers (`None` when the line has none).
fn cells(line: &CostedLine, currency: &str) -> [Cell; 16] {
    let buy = line.choice.as_ref();
    let text = |s: &str| Cell::Text(s.to_owned());
    [
        text(&line.designators),
        Cell::Count(Some(line.per_board)),
        Cell::Count(Some(line.needed)),
        text(&line.name),
        text(&line.description),
        text(&line.manufacturer),
        text(&line.mpn),
        text(line.status_text),
        text(buy.map_or("", |o| o.seller.as_str())),
        text(buy.map_or("", |o| o.buy.sku.as_str())),
        Cell::Count(buy.map(|o| o.buy.quantity)),
        Cell::Money(buy.map(|o| o.buy.unit_price)),
        Cell::Money(buy.map(|o| o.buy.extended)),
        text(if buy.is_some() { currency } else { "" }),
        Cell::Count(buy.map(|o| o.buy.stock)),
        text(&line.availability_words()),
    ]
}

enum Cell {
    Text(String),
    Count(Option<i64>),
    Money(Option<f64>),
}

/// The totals' rows below the lines: label and amount.
fn totals(costing: &Costing) -> [(String, f64); 2] {
    [
        (format!("Build total ({} boards)", costing.build), costing.build_total),
        ("Per board".to_owned(), costing.board_total),
    ]
}

fn file_name(project: &ProjectRecord, extension: &str) -> String {
    let stem = ferrite_core::slug::slug(&project.name);
    let stem = if stem.is_empty() { "project".to_owned() } else { stem };
    format!("{stem}-bom.{extension}")
}

fn attachment(content_type: &'static str, file_name: String, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// A text cell a spreadsheet would read as a formula gets a leading apostrophe: BOM files are
/// uploaded by anyone in the organization, the export is opened by others.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

pub async fn export_csv(
    State(portal): State<Portal>,
    member: Member,
    Path((slug, id)): Path<(String, String)>,
    Query(query): Query<BomQuery>,
) -> Result<Response, PortalError> {
    let (project, costing) = export_costing(&portal, &member, &slug, &id, &query).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let row = |writer: &mut csv::Writer<Vec<u8>>, cells: Vec<String>| writer.write_record(cells).map_err(internal);
    row(&mut writer, COLUMNS.iter().map(|c| (*c).to_owned()).collect())?;
    for line in &costing.lines {
        let record = cells(line, &costing.currency).into_iter().map(|cell| match cell {
            Cell::Text(text) => inert(&text),
            Cell::Count(n) => n.map(|n| n.to_string()).unwrap_or_default(),
            Cell::Money(amount) => amount.map(|a| format!("{a:.6}")).unwrap_or_default(),
        });
        row(&mut writer, record.collect())?;
    }
    for (label, amount) in totals(&costing) {
        let mut record = vec![String::new(); COLUMNS.len()];
        record[0] = label;
        record[column("Extended price")] = format!("{amount:.2}");
        record[column("Currency")] = costing.currency.clone();
        row(&mut writer, record)?;
    }
    let body = writer.into_inner().map_err(internal)?;
    Ok(attachment("text/csv; charset=utf-8", file_name(&project, "csv"), body))
}

pub async fn export_xlsx(
    State(portal): State<Portal>,
    member: Member,
    Path((slug, id)): Path<(String, String)>,
    Query(query): Query<BomQuery>,
) -> Result<Response, PortalError> {
    let (project, costing) = export_costing(&portal, &member, &slug, &id, &query).await?;
    let mut book = rust_xlsxwriter::Workbook::new();
    write_sheet(book.add_worksheet(), &costing).map_err(internal)?;
    let written = book.save_to_buffer();
    let body = written.map_err(internal)?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file_name(&project, "xlsx"),
        body,
    ))
}

fn write_sheet(sheet: &mut rust_xlsxwriter::Worksheet, costing: &Costing) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Format;
    let (bold, amount) = (Format::new().set_bold(), Format::new().set_num_format("0.0000"));
    sheet.set_name("BOM")?;
    for (column, title) in (0u16..).zip(COLUMNS) {
        sheet.write_string_with_format(0, column, title, &bold)?;
    }
    let mut row = 1u32;
    for line in &costing.lines {
        for (column, cell) in (0u16..).zip(cells(line, &costing.currency)) {
            match cell {
                Cell::Text(text) => sheet.write_string(row, column, text).map(drop)?,
                Cell::Count(Some(n)) => sheet.write_number(row, column, n as f64).map(drop)?,
                Cell::Money(Some(a)) => sheet.write_number_with_format(row, column, a, &amount).map(drop)?,
                Cell::Count(None) | Cell::Money(None) => {}
            }
        }
        row += 1;
    }
    for (label, total) in totals(costing) {
        sheet.write_string_with_format(row, 0, label, &bold)?;
        sheet.write_number_with_format(row, column("Extended price") as u16, total, &amount)?;
        sheet.write_string(row, column("Currency") as u16, &costing.currency)?;
        row += 1;
    }
    sheet.autofit();
    Ok(())
}

/// The costing an export is of; a refused build quantity is refused here (no page to show it on).
async fn export_costing(
    portal: &Portal,
    member: &Member,
    slug: &str,
    id: &str,
    query: &BomQuery,
) -> Result<(ProjectRecord, Costing), PortalError> {
    let (_, project) = project_at(portal, member, slug, id).await?;
    let (build, error, currency) = read_query(portal, query);
    if let Some(why) = error {
        return Err(PortalError::Unprocessable(why));
    }
    let revisions = portal.store().revisions(project.id).await?;
    let costing = cost(portal, project.id, earlier_revision(&revisions, query.revision), build, &currency).await?;
    Ok((project, costing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_quantity_is_a_whole_number_in_range() {
        assert_eq!(build_quantity(None), Ok(1));
        assert_eq!(build_quantity(Some(" ")), Ok(1));
        assert_eq!(build_quantity(Some("1,000")), Ok(1000));
        assert_eq!(build_quantity(Some("1000000")), Ok(MAX_BUILD));
        for bad in ["0", "-3", "2.5", "ten", "1000001", "99999999999999999999"] {
            assert!(build_quantity(Some(bad)).unwrap_err().contains(bad), "{bad}");
        }
    }

    #[test]
    fn text_a_spreadsheet_would_run_is_made_inert() {
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("LM358DR"), "LM358DR");
    }
}
