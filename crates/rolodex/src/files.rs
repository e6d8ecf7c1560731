//! `rolodex import` and `rolodex export`: files in and out through core's import and export
//! use cases (as the operator, recorded through the `import` surface), with a progress bar
//! on a terminal (standard error; none when it is not a terminal).

use crate::cli::{ExportArgs, ImportArgs, tenant_by_code};
use anyhow::{Context, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rolodex_core::{Caller, ImportOptions, MatchKey, Outcome, RowReport, Services};
use rolodex_files::{FileWriter, Format, MAX_FILE_BYTES};
use std::collections::HashMap;
use std::io::Write;

/// Most customers named in the import's summary line.
const CUSTOMERS_LISTED: usize = 20;

pub(crate) async fn import(services: &Services, args: &ImportArgs) -> anyhow::Result<()> {
    let tenant = tenant_by_code(services, &args.tenant).await?;
    let mapping = args
        .map
        .iter()
        .map(|m| rolodex_files::parse_mapping(m))
        .collect::<Result<Vec<_>, _>>()?;
    let path = args.file.display();
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("could not read {path}"))?
        .len();
    if size > MAX_FILE_BYTES as u64 {
        bail!("{path} is larger than {MAX_FILE_BYTES} bytes: split it");
    }
    let bytes = std::fs::read(&args.file).with_context(|| format!("could not read {path}"))?;
    let mut rows =
        rolodex_files::read(bytes, &mapping).with_context(|| format!("{path} is refused"))?;
    let options = ImportOptions {
        customer: args.customer.clone(),
        match_key: MatchKey::parse(&args.match_key)
            .ok_or_else(|| anyhow!("--match must be external_id, code or email"))?,
        dry_run: args.dry_run,
    };
    let mut report_file = match &args.report {
        Some(p) => {
            let mut file = csv_report(p)?;
            file.write_record(["row", "outcome", "contact_id", "customer", "errors"])?;
            Some(file)
        }
        None => None,
    };
    let import = services
        .imports
        .begin(&Caller::operator(tenant.id), options)
        .await
        .context("could not start the import")?;
    let bar = ProgressBar::new(rows.total() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {per_sec}  ETA {eta}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut failed = None;
    let summary = import
        .run(
            || rows.next_batch(),
            |batch| {
                bar.inc(batch.len() as u64);
                for row in &batch {
                    if row.outcome == Outcome::Refused {
                        bar.suspend(|| println!("{}", refused_line(row)));
                    }
                    if let Some(file) = &mut report_file
                        && let Err(e) = file.write_record(report_record(row))
                    {
                        failed.get_or_insert(e);
                    }
                }
            },
        )
        .await
        .context("the import stopped")?;
    bar.finish_and_clear();
    if let Some(e) = failed {
        return Err(e).context("could not write the report");
    }
    if let Some(file) = &mut report_file {
        file.flush().context("could not write the report")?;
    }
    println!(
        "{}{} rows of {path} ({}): {} created, {} updated, {} unchanged, {} refused",
        if summary.dry_run {
            "Dry run, nothing written: "
        } else {
            ""
        },
        summary.counts.rows,
        rows.format().extension(),
        summary.counts.created,
        summary.counts.updated,
        summary.counts.unchanged,
        summary.counts.refused
    );
    let created = &summary.customers_created;
    if !created.is_empty() {
        let more = created.len().saturating_sub(CUSTOMERS_LISTED);
        println!(
            "Customers {} for organisations no customer had: {}{}",
            if summary.dry_run {
                "that would be created"
            } else {
                "created"
            },
            created[..created.len() - more].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

fn csv_report(path: &std::path::Path) -> anyhow::Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).with_context(|| format!("could not create {}", path.display()))
}

fn errors(row: &RowReport) -> String {
    row.errors
        .iter()
        .map(|e| format!("{}: {} ({})", e.field, e.message, e.code))
        .collect::<Vec<_>>()
        .join("; ")
}

fn refused_line(row: &RowReport) -> String {
    format!("row {}: refused: {}", row.row, errors(row))
}

fn report_record(row: &RowReport) -> [String; 5] {
    [
        row.row.to_string(),
        row.outcome.as_str().to_owned(),
        row.contact_id.map(|id| id.to_string()).unwrap_or_default(),
        row.customer.clone().unwrap_or_default(),
        errors(row),
    ]
}

pub(crate) async fn export(services: &Services, args: &ExportArgs) -> anyhow::Result<()> {
    let tenant = tenant_by_code(services, &args.tenant).await?;
    let format = Format::parse(&args.format).ok_or_else(|| anyhow!("--format is csv or vcf"))?;
    let filters = [
        ("q", &args.q),
        ("email", &args.email),
        ("phone", &args.phone),
        ("external_id", &args.external_id),
        ("updated_since", &args.updated_since),
        ("customer_id", &args.customer_id),
        ("sort", &args.sort),
    ];
    let params: HashMap<String, String> = filters
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_owned(), value.clone()?)))
        .collect();
    let query = rolodex_http::contact_search(params).map_err(|e| anyhow!("{e}"))?;
    let mut export = services
        .exports
        .begin(
            &Caller::operator(tenant.id),
            &query,
            format == Format::VCard,
        )
        .await
        .context("could not start the export")?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("could not create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} contacts  {per_sec}  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let writer = FileWriter::new(format);
    out.write_all(&writer.start())?;
    while let Some(page) = export.next_page().await.context("the export stopped")? {
        out.write_all(&writer.page(&page))
            .context("could not write the export")?;
        bar.inc(page.len() as u64);
    }
    out.flush().context("could not write the export")?;
    bar.finish_and_clear();
    if let Some(path) = &args.output {
        eprintln!("Exported {} contacts to {}", bar.position(), path.display());
    }
    Ok(())
}
