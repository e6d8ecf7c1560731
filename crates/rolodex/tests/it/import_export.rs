//! Contacts in and out of files over HTTP (`POST /v1/imports`, `GET /v1/contacts/export`) and
//! through the executable (`rolodex import`, `rolodex export`), with files shaped as Google
//! Contacts, Outlook, an iPhone, an Android phone and Thunderbird write them (`files/`).

use crate::support::{Cli, TestApp, TestClient as Api};
use reqwest::{Method, StatusCode};
use rolodex_core::import_jobs::MAX_IMPORT_JOBS;
use rolodex_core::{Caller, ImportOptions};
use serde_json::{Value, json};

const GOOGLE: &[u8] = include_bytes!("files/google.csv");
const OUTLOOK: &[u8] = include_bytes!("files/outlook.csv");
const IPHONE: &[u8] = include_bytes!("files/iphone.vcf");
const ANDROID: &[u8] = include_bytes!("files/android.vcf");
const THUNDERBIRD: &[u8] = include_bytes!("files/thunderbird.vcf");

async fn import(
    api: &Api,
    query: &str,
    content_type: &str,
    body: &[u8],
    expected: StatusCode,
) -> Value {
    let request = api
        .request(Method::POST, &format!("/v1/imports{query}"))
        .header("Content-Type", content_type)
        .body(body.to_vec());
    let (status, _, answer) = api.send(request).await;
    assert_eq!(status, expected, "POST /v1/imports{query}: {answer}");
    answer
}

async fn export(api: &Api, query: &str) -> (String, String) {
    let response = api
        .request(Method::GET, &format!("/v1/contacts/export{query}"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::OK, "export{query}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    (content_type, response.text().await.expect("text"))
}

/// The contacts of the caller's tenant, as the API shows them, by email.
async fn contact_by_email(api: &Api, email: &str) -> Value {
    let found = api
        .get(&format!("/v1/contacts?email={email}"), StatusCode::OK)
        .await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1), "{email}");
    found["items"][0].clone()
}

fn outcomes(report: &Value) -> Vec<(u64, String)> {
    report["report"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().expect("row"),
                r["outcome"].as_str().expect("outcome").to_owned(),
            )
        })
        .collect()
}

/// Every contact of a tenant, as comparable values (no ids, times, versions or photo names).
async fn all_contacts(api: &Api) -> Vec<Value> {
    let mut all = Vec::new();
    let list = api.get("/v1/contacts?limit=200", StatusCode::OK).await;
    for mut c in list["items"].as_array().expect("items").clone() {
        let customer = api
            .get(
                &format!("/v1/customers/{}", c["customer_id"]),
                StatusCode::OK,
            )
            .await;
        let object = c.as_object_mut().expect("object");
        for volatile in [
            "id",
            "customer_id",
            "created_at",
            "updated_at",
            "created_by",
            "updated_by",
            "version",
            "history_url",
        ] {
            object.remove(volatile);
        }
        if let Some(photo) = object.get_mut("photo").and_then(Value::as_object_mut) {
            photo.retain(|k, _| ["width", "height", "content_type"].contains(&k.as_str()));
        }
        for phone in object
            .get_mut("phones")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            phone.as_object_mut().expect("phone").remove("id");
        }
        object.insert(
            "customer".into(),
            json!([customer["code"], customer["name"]]),
        );
        all.push(c);
    }
    all.sort_by_key(|c| c.to_string());
    all
}

async fn a_google_csv_creates_contacts_and_customers_and_a_second_run_changes_nothing(
    app: TestApp,
) {
    let api = app.admin().await;
    let first = import(&api, "?match=email", "text/csv", GOOGLE, StatusCode::OK).await;
    assert_eq!(first["format"], "csv");
    assert_eq!(
        (first["rows"].clone(), first["created"].clone()),
        (json!(3), json!(3))
    );
    assert_eq!(
        first["customers_created"],
        json!(["ABCCORPORATION", "GLOBEX"])
    );
    let joseph = contact_by_email(&api, "jhernandez@abccorp.example.com").await;
    assert_eq!(joseph["first_name"], "Joseph");
    assert_eq!(joseph["salutation"], "Mr.");
    assert_eq!(joseph["title"], "Purchasing Manager");
    assert_eq!(joseph["address_1"], "100 Market St");
    assert_eq!(joseph["address_2"], "Suite 300");
    assert_eq!(joseph["country"], "US");
    assert_eq!(joseph["notes"], "Prefers calls\nafter 10am");
    assert_eq!(joseph["emails"][1], "joe.h@example.org");
    let phones: Vec<(&str, &str)> = joseph["phones"]
        .as_array()
        .expect("phones")
        .iter()
        .map(|p| (p["type"].as_str().unwrap(), p["number"].as_str().unwrap()))
        .collect();
    assert_eq!(
        phones,
        [
            ("mobile", "+1 408-555-0142"),
            ("mobile", "+1 408-555-0143"),
            ("fax", "+1 408-555-0190")
        ]
    );
    assert_eq!(joseph["custom_fields"]["categories"], "Suppliers");
    let history = api
        .get(
            &format!(
                "/v1/customers/{}/contacts/{}/history",
                joseph["customer_id"], joseph["id"]
            ),
            StatusCode::OK,
        )
        .await;
    assert_eq!(history["items"][0]["surface"], "import");

    let second = import(&api, "?match=email", "text/csv", GOOGLE, StatusCode::OK).await;
    assert_eq!(second["unchanged"], 3, "{second}");
    assert_eq!(second["customers_created"], json!([]));
    let again = contact_by_email(&api, "jhernandez@abccorp.example.com").await;
    assert_eq!(again["version"], joseph["version"]);
}

async fn an_outlook_csv_in_windows_1252_is_read_with_its_accents(app: TestApp) {
    let api = app.admin().await;
    let report = import(&api, "?match=email", "text/csv", OUTLOOK, StatusCode::OK).await;
    assert_eq!(report["created"], 2, "{report}");
    let rene = contact_by_email(&api, "rene@globex.example.com").await;
    assert_eq!(rene["first_name"], "René");
    assert_eq!(
        rene["salutation"], "Dr.",
        "Outlook's Title is the salutation"
    );
    assert_eq!(rene["title"], "Philosopher");
    assert_eq!(rene["address_1"], "12 rue de l'École");
    assert_eq!(rene["country"], "FR");
    assert_eq!(rene["notes"], "Café meetings; “quoted” notes");
    assert_eq!(rene["custom_fields"]["categories"], "Key Customer, Europe");
    let soren = contact_by_email(&api, "soren@initech.example.com").await;
    assert_eq!(
        soren["city"], "København",
        "the home address, having no business one"
    );
    assert_eq!(soren["phones"][0]["type"], "home");
}

async fn vcards_of_phones_and_mail_programs_import_with_their_photos(app: TestApp) {
    let api = app.admin().await;
    api.post(
        "/v1/customers",
        json!({"code": "WALKIN", "name": "Walk-in"}),
        StatusCode::CREATED,
    )
    .await;
    let iphone = import(&api, "", "text/vcard", IPHONE, StatusCode::OK).await;
    assert_eq!(outcomes(&iphone), [(1, "created".to_owned())], "{iphone}");
    // The second card of the Android file names no organisation: it goes to WALKIN.
    let android = import(
        &api,
        "?match=email&customer=WALKIN",
        "text/x-vcard",
        ANDROID,
        StatusCode::OK,
    )
    .await;
    assert_eq!(android["created"], 2, "{android}");
    let boundary = "rolodexboundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"jane.vcf\"\r\nContent-Type: text/vcard\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(THUNDERBIRD);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let thunderbird = import(
        &api,
        "",
        &format!("multipart/form-data; boundary={boundary}"),
        &form,
        StatusCode::OK,
    )
    .await;
    assert_eq!(thunderbird["created"], 1, "{thunderbird}");

    let johnny = contact_by_email(&api, "johnny@initech.example.com").await;
    assert_eq!(
        johnny["external_id"],
        "4F5A2C1E-9B1D-4E2A-8E3C-1A2B3C4D5E6F"
    );
    assert_eq!(johnny["city"], "Cupertino");
    assert_eq!(johnny["photo"]["width"], 16);
    let photo = api
        .request(
            Method::GET,
            &format!(
                "/v1/customers/{}/contacts/{}/photo",
                johnny["customer_id"], johnny["id"]
            ),
        )
        .send()
        .await
        .expect("the server answers");
    assert_eq!(photo.status(), StatusCode::OK);
    let zoe = contact_by_email(&api, "zoe@globex.example.com").await;
    assert_eq!(
        (zoe["first_name"].clone(), zoe["last_name"].clone()),
        (json!("Zoë"), json!("Müller"))
    );
    assert!(zoe["photo"].is_object(), "{zoe}");
    let jane = contact_by_email(&api, "jane.doe@initech.example.com").await;
    assert_eq!(jane["salutation"], "Ms.");
    assert!(jane["photo"].is_object(), "{jane}");

    let again = import(&api, "", "text/vcard", IPHONE, StatusCode::OK).await;
    assert_eq!(
        again["unchanged"], 1,
        "the same photo is no change: {again}"
    );
}

async fn a_dry_run_reports_what_would_happen_and_writes_nothing(app: TestApp) {
    let api = app.admin().await;
    let report = import(
        &api,
        "?match=email&dry_run=true",
        "text/csv",
        GOOGLE,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["created"], 3, "{report}");
    assert_eq!(
        report["customers_created"],
        json!(["ABC Corporation", "Globex"])
    );
    assert_eq!(report["report"][0]["contact_id"], Value::Null);
    let contacts = api.get("/v1/contacts", StatusCode::OK).await;
    assert_eq!(contacts["items"], json!([]));
    let customers = api.get("/v1/customers", StatusCode::OK).await;
    assert_eq!(customers["items"], json!([]));

    import(&api, "?match=email", "text/csv", GOOGLE, StatusCode::OK).await;
    let changed = String::from_utf8_lossy(GOOGLE).replace("Purchasing Manager", "Buyer");
    let report = import(
        &api,
        "?match=email&dry_run=true",
        "text/csv",
        changed.as_bytes(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        outcomes(&report),
        [
            (1, "updated".to_owned()),
            (2, "unchanged".to_owned()),
            (3, "unchanged".to_owned())
        ]
    );
    let joseph = contact_by_email(&api, "jhernandez@abccorp.example.com").await;
    assert_eq!(joseph["title"], "Purchasing Manager");
}

async fn rows_match_stored_contacts_by_external_id_code_or_email(app: TestApp) {
    let api = app.admin().await;
    let customer = api
        .post(
            "/v1/customers",
            json!({"code": "ACME"}),
            StatusCode::CREATED,
        )
        .await;
    let id = customer["id"].as_i64().expect("id");
    let stored = api
        .post(
            &format!("/v1/customers/{id}/contacts"),
            json!({"code": "JDOE", "external_id": "X-1", "first_name": "John",
                   "last_name": "Doe", "emails": ["john@acme.example.com"]}),
            StatusCode::CREATED,
        )
        .await;
    let title = |t: &str, key: &str| {
        format!(
            "customer_code,external_id,code,first_name,last_name,emails,title\nACME,{},{},John,Doe,{},{t}\n",
            if key == "external_id" { "X-1" } else { "" },
            if key == "code" { "JDOE" } else { "" },
            if key == "email" {
                "john@acme.example.com"
            } else {
                ""
            },
        )
    };
    for key in ["external_id", "code", "email"] {
        // Matched on one key, the row clears the others (empty cells clear).
        let csv = title(key, key);
        let report = import(
            &api,
            &format!("?match={key}"),
            "text/csv",
            csv.as_bytes(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(report["updated"], 1, "{key}: {report}");
        assert_eq!(report["report"][0]["contact_id"], stored["id"], "{key}");
        let contact = api
            .get(
                &format!("/v1/customers/{id}/contacts/{}", stored["id"]),
                StatusCode::OK,
            )
            .await;
        assert_eq!(contact["title"], key);
        // Put the keys back for the next round.
        api.patch(
            &format!("/v1/customers/{id}/contacts/{}", stored["id"]),
            json!({"code": "JDOE", "external_id": "X-1", "emails": ["john@acme.example.com"]}),
            StatusCode::OK,
        )
        .await;
    }
    let keyless = "first_name,last_name\nNo,Key\n";
    let report = import(&api, "", "text/csv", keyless.as_bytes(), StatusCode::OK).await;
    assert_eq!(
        report["report"][0]["errors"][0]["code"],
        "match_key_missing"
    );
}

async fn each_refused_row_says_why_and_nothing_of_it_is_written(app: TestApp) {
    let api = app.admin().await;
    let csv = "Company,First Name,Last Name,E-mail Address,Business Country,Job Title\n\
        Acme,Ada,Good,ada@acme.example.com,,Analyst\n\
        Acme,Bad,Email,not-an-email,,Analyst\n\
        Acme,Bad,Country,bad@acme.example.com,Narnia,Analyst\n\
        Acme,Too,Many,fields@acme.example.com,,Analyst,extra\n\
        ,No,Company,none@acme.example.com,,Analyst\n\
        Acme,Dup,Email,ada@acme.example.com,,Analyst\n";
    let report = import(
        &api,
        "?match=email",
        "text/csv",
        csv.as_bytes(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        outcomes(&report),
        [
            (1, "created".to_owned()),
            (2, "refused".to_owned()),
            (3, "refused".to_owned()),
            (4, "refused".to_owned()),
            (5, "refused".to_owned()),
            (6, "updated".to_owned()),
        ],
        "{report}"
    );
    let reason = |i: usize| {
        let e = &report["report"][i]["errors"][0];
        (
            e["field"].as_str().unwrap().to_owned(),
            e["code"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(reason(1), ("emails[0]".into(), "invalid_email".into()));
    assert_eq!(reason(2), ("country".into(), "invalid_country".into()));
    assert_eq!(reason(3), ("row".into(), "wrong_field_count".into()));
    assert_eq!(
        reason(4),
        ("organisation".into(), "customer_required".into())
    );
    let contacts = api.get("/v1/contacts", StatusCode::OK).await;
    let names: Vec<&str> = contacts["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Email"], "only the good row, updated by the last");
}

async fn files_that_cannot_be_imported_are_refused_whole(app: TestApp) {
    let api = app.admin().await;
    let huge_row = format!("first_name,notes\nAda,\"{}\"\n", "x".repeat(300 * 1024));
    let nested = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:A;B\r\nAGENT:\r\nBEGIN:VCARD\r\nN:C;D\r\nEND:VCARD\r\nEND:VCARD\r\n";
    let laughs = format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:lol\r\n{}END:VCARD\r\n",
        "NOTE:lololololololololol\r\n".repeat(2000)
    );
    let cases: Vec<(&str, Vec<u8>, &str, StatusCode)> = vec![
        (
            "a PNG",
            crate::support::images::png(4, 4),
            "not_a_contacts_file",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "bytes of no encoding",
            b"first_name\n\x81\x8d\x90\n".to_vec(),
            "bad_encoding",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "a row over 256 KiB",
            huge_row.into_bytes(),
            "row_too_long",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "a card in a card",
            nested.to_vec(),
            "nested_vcard",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "a card of 2000 properties",
            laughs.into_bytes(),
            "too_many_properties",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "JSON",
            br#"{"first_name": "Ada"}"#.to_vec(),
            "no_known_column",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "nothing",
            Vec::new(),
            "file_empty",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "33 MiB",
            vec![b'a'; 33 * 1024 * 1024],
            "file_too_large",
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (what, body, code, status) in cases {
        let problem = import(&api, "", "text/csv", &body, status).await;
        assert_eq!(problem["code"], code, "{what}: {problem}");
    }
    let problem = import(
        &api,
        "",
        "application/json",
        b"{}",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    assert_eq!(problem["code"], "unsupported_media_type");
    let problem = import(
        &api,
        "?customer=NOPE",
        "text/csv",
        GOOGLE,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(problem["code"], "customer_not_found");
    let contacts = api.get("/v1/contacts", StatusCode::OK).await;
    assert_eq!(contacts["items"], json!([]));
}

async fn an_export_imported_into_an_empty_tenant_gives_the_same_contacts(app: TestApp) {
    let api = app.admin().await;
    for (file, content_type) in [
        (GOOGLE, "text/csv"),
        (OUTLOOK, "text/csv"),
        (IPHONE, "text/vcard"),
        (THUNDERBIRD, "text/vcard"),
    ] {
        import(&api, "?match=email", content_type, file, StatusCode::OK).await;
    }
    let before = all_contacts(&api).await;
    assert_eq!(before.len(), 7);

    let (content_type, csv) = export(&api, "").await;
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert_eq!(
        csv.lines().next().unwrap(),
        rolodex_files::CSV_COLUMNS.join(",")
    );
    let (content_type, vcf) = export(&api, "?format=vcf").await;
    assert!(content_type.starts_with("text/vcard"), "{content_type}");
    assert_eq!(vcf.matches("BEGIN:VCARD").count(), 7);

    let copy = app.admin_of_new_tenant("COPY", "copier").await;
    let report = import(
        &copy,
        "?match=email",
        "text/vcard",
        vcf.as_bytes(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["created"], 7, "{report}");
    assert_eq!(all_contacts(&copy).await, before, "vCard round trip");
    let report = import(
        &copy,
        "?match=email",
        "text/csv",
        csv.as_bytes(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["unchanged"], 7, "the CSV says the same: {report}");

    let csv_only = app.admin_of_new_tenant("CSVCOPY", "csvcopier").await;
    import(
        &csv_only,
        "?match=email",
        "text/csv",
        csv.as_bytes(),
        StatusCode::OK,
    )
    .await;
    let mut without_photos = before.clone();
    for c in &mut without_photos {
        c["photo"] = Value::Null;
    }
    assert_eq!(
        all_contacts(&csv_only).await,
        without_photos,
        "CSV round trip"
    );

    let (_, does) = export(&api, "?q=doe").await;
    assert!(does.contains(",Jane,,Doe,"), "{does}");
    for other in ["Johnny", "Joseph", "René", "Søren", "Ada", "Grace"] {
        assert!(!does.contains(other), "{other} is not a Doe: {does}");
    }
    let problem = api
        .get("/v1/contacts/export?format=pdf", StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(problem["code"], "invalid_query");
}

async fn an_import_with_an_idempotency_key_runs_once(app: TestApp) {
    let api = app.admin().await;
    let send = |body: &'static [u8]| {
        api.request(Method::POST, "/v1/imports?match=email")
            .header("Content-Type", "text/csv")
            .header("Idempotency-Key", "import-1")
            .body(body)
    };
    let (status, _, first) = api.send(send(GOOGLE)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, _, again) = api.send(send(GOOGLE)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first, "the first answer, not a second import");
    let (status, _, _) = api.send(send(OUTLOOK)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Posts `body` to be imported on its own (`Prefer: respond-async` when `prefer`): the 202's
/// job and its `Location`.
async fn start_job(api: &Api, query: &str, body: Vec<u8>, prefer: bool) -> (Value, String) {
    let mut request = api
        .request(Method::POST, &format!("/v1/imports{query}"))
        .header("Content-Type", "text/csv")
        .body(body);
    if prefer {
        request = request.header("Prefer", "respond-async");
    }
    let (status, headers, job) = api.send(request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(
        headers.get("preference-applied").is_some(),
        prefer,
        "Preference-Applied answers the preference"
    );
    let location = headers["location"].to_str().expect("ASCII").to_owned();
    assert_eq!(location, format!("/v1/imports/{}", job["id"]));
    (job, location)
}

/// Follows the import job at `location` until it ends: its last state.
pub async fn ended(api: &Api, location: &str) -> Value {
    for _ in 0..1_200 {
        let job = api.get(location, StatusCode::OK).await;
        if job["status"] != "running" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import {location} did not end within a minute");
}

async fn an_import_asked_to_run_on_its_own_reports_its_progress_then_every_row(app: TestApp) {
    let api = app.admin().await;
    let (job, location) = start_job(&api, "?match=email", GOOGLE.to_vec(), true).await;
    assert!(
        job["status"] == "running" || job["status"] == "completed",
        "{job}"
    );
    assert_eq!(
        (
            job["format"].clone(),
            job["rows"].clone(),
            job["dry_run"].clone()
        ),
        (json!("csv"), json!(3), json!(false))
    );
    assert_eq!(job["started_by"], "admin");

    let job = ended(&api, &location).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(
        (
            job["rows_done"].clone(),
            job["created"].clone(),
            job["refused"].clone()
        ),
        (json!(3), json!(3), json!(0))
    );
    assert_eq!(
        (job["eta_seconds"].clone(), job["error"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(job["finished_at"].is_string(), "{job}");
    let report_url = job["report"].as_str().expect("a report once completed");
    assert_eq!(report_url, format!("{location}/report"));
    let report = api.get(report_url, StatusCode::OK).await;
    assert_eq!(
        (report["rows"].clone(), report["created"].clone()),
        (json!(3), json!(3))
    );
    assert_eq!(
        report["customers_created"],
        json!(["ABCCORPORATION", "GLOBEX"])
    );
    assert_eq!(
        outcomes(&report),
        [
            (1, "created".into()),
            (2, "created".into()),
            (3, "created".into())
        ]
    );
    let joseph = contact_by_email(&api, "jhernandez@abccorp.example.com").await;
    assert_eq!(report["report"][0]["contact_id"], joseph["id"]);

    // What the job wrote is what a synchronous import of the same file finds.
    let again = import(&api, "?match=email", "text/csv", GOOGLE, StatusCode::OK).await;
    assert_eq!(again["unchanged"], 3, "{again}");

    let listed = api.get("/v1/imports", StatusCode::OK).await;
    assert_eq!(listed["items"][0]["id"], job["id"], "{listed}");
    assert_eq!(listed["items"][0]["status"], "completed");

    // Another tenant, a viewer, and a job that does not exist learn nothing of it.
    let other = app.admin_of_new_tenant("OTHER", "olga").await;
    let theirs = other.get("/v1/imports", StatusCode::OK).await;
    assert_eq!(theirs["items"], json!([]));
    let problem = other.get(&location, StatusCode::NOT_FOUND).await;
    assert_eq!(problem["code"], "import_job_not_found");
    other.get(report_url, StatusCode::NOT_FOUND).await;
    let viewer = app.member("vera", "viewer").await;
    viewer.get(&location, StatusCode::FORBIDDEN).await;
    api.get("/v1/imports/987654", StatusCode::NOT_FOUND).await;
    api.get("/v1/imports/abc", StatusCode::BAD_REQUEST).await;
}

async fn a_file_of_more_rows_than_an_answer_waits_for_is_imported_by_a_job(app: TestApp) {
    let api = app.admin().await;
    // 10,001 rows with no external id: each is refused (the match key is missing), quickly.
    let mut file = String::from("last_name\n");
    for i in 0..10_001 {
        file.push_str(&format!("Row{i}\n"));
    }
    let (job, location) = start_job(&api, "?dry_run=true", file.into_bytes(), false).await;
    assert_eq!(
        (job["rows"].clone(), job["dry_run"].clone()),
        (json!(10_001), json!(true))
    );
    let job = ended(&api, &location).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["refused"], 10_001, "{job}");
    let report = api
        .get(job["report"].as_str().expect("a report"), StatusCode::OK)
        .await;
    assert_eq!(report["report"].as_array().map(Vec::len), Some(10_001));
    assert_eq!(report["report"][10_000]["row"], 10_001);
    assert_eq!(report["report"][0]["errors"][0]["field"], "external_id");
}

async fn a_job_started_twice_with_one_idempotency_key_runs_once(app: TestApp) {
    let api = app.admin().await;
    let send = || {
        api.request(Method::POST, "/v1/imports?match=email&dry_run=true")
            .header("Content-Type", "text/csv")
            .header("Prefer", "respond-async")
            .header("Idempotency-Key", "job-1")
            .body(GOOGLE)
    };
    let (status, first_headers, first) = api.send(send()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    let (status, again_headers, _) = api.send(send()).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(again_headers["location"], first_headers["location"]);
    let next = first["id"].as_i64().expect("an id") + 1;
    api.get(&format!("/v1/imports/{next}"), StatusCode::NOT_FOUND)
        .await;
    let job = ended(&api, first_headers["location"].to_str().expect("ASCII")).await;
    assert_eq!(
        (job["status"].clone(), job["created"].clone()),
        (json!("completed"), json!(3))
    );
    let listed = api.get("/v1/contacts", StatusCode::OK).await;
    assert_eq!(listed["items"], json!([]), "a dry run writes nothing");
}

async fn a_node_runs_a_bounded_number_of_import_jobs_and_asks_for_more_later(app: TestApp) {
    let api = app.admin().await;
    let tenant = app
        .services
        .tenants
        .by_code("DEFAULT")
        .await
        .expect("tenant DEFAULT")
        .id;
    let operator = Caller::operator(tenant);
    let mut running = Vec::new();
    for _ in 0..MAX_IMPORT_JOBS {
        let job = app
            .services
            .imports
            .begin_job(&operator, ImportOptions::default(), "csv", 1)
            .await
            .expect("a job");
        running.push(job);
    }
    let request = api
        .request(Method::POST, "/v1/imports?match=email")
        .header("Content-Type", "text/csv")
        .header("Prefer", "respond-async")
        .body(GOOGLE);
    let (status, headers, problem) = api.send(request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(problem["code"], "busy");
    assert_eq!(headers["retry-after"], "30");
    let listed = api.get("/v1/contacts", StatusCode::OK).await;
    assert_eq!(
        listed["items"],
        json!([]),
        "nothing of the refused job was written"
    );

    // A file small enough for the answer is still imported at once; a job that ends makes
    // room for the next.
    import(
        &api,
        "?match=email&dry_run=true",
        "text/csv",
        GOOGLE,
        StatusCode::OK,
    )
    .await;
    running.pop();
    let (_, location) = start_job(&api, "?match=email", GOOGLE.to_vec(), true).await;
    assert_eq!(ended(&api, &location).await["status"], "completed");
}

app_tests!(
    a_google_csv_creates_contacts_and_customers_and_a_second_run_changes_nothing,
    an_outlook_csv_in_windows_1252_is_read_with_its_accents,
    vcards_of_phones_and_mail_programs_import_with_their_photos,
    a_dry_run_reports_what_would_happen_and_writes_nothing,
    rows_match_stored_contacts_by_external_id_code_or_email,
    each_refused_row_says_why_and_nothing_of_it_is_written,
    files_that_cannot_be_imported_are_refused_whole,
    an_export_imported_into_an_empty_tenant_gives_the_same_contacts,
    an_import_with_an_idempotency_key_runs_once,
    an_import_asked_to_run_on_its_own_reports_its_progress_then_every_row,
    a_file_of_more_rows_than_an_answer_waits_for_is_imported_by_a_job,
    a_job_started_twice_with_one_idempotency_key_runs_once,
    a_node_runs_a_bounded_number_of_import_jobs_and_asks_for_more_later,
);

/// A database with tenant DEFAULT, and a sample file written next to it.
async fn cli_with(file: &str, bytes: &[u8]) -> (Cli, String) {
    let cli = Cli::new();
    cli.ok(&["tenant", "add", "DEFAULT"], None).await;
    let path = cli.dir().join(file);
    std::fs::write(&path, bytes).expect("the sample is written");
    (cli, path.to_string_lossy().into_owned())
}

#[tokio::test]
async fn the_import_command_reports_counts_refusals_and_a_dry_run() {
    let (cli, path) = cli_with("android.vcf", ANDROID).await;
    let out = cli
        .ok(&["import", &path, "--match", "email", "--dry-run"], None)
        .await;
    assert!(out.contains("Dry run, nothing written: 2 rows"), "{out}");
    assert!(
        out.contains("1 created, 0 updated, 0 unchanged, 1 refused"),
        "{out}"
    );
    assert!(
        out.contains("row 2: refused: organisation: the row names no organisation"),
        "{out}"
    );
    assert!(
        out.contains("that would be created for organisations no customer had: Globex"),
        "{out}"
    );

    let report = cli.dir().join("report.csv");
    let report_arg = report.to_string_lossy().into_owned();
    let out = cli
        .ok(
            &["import", &path, "--match", "email", "--report", &report_arg],
            None,
        )
        .await;
    assert!(
        out.contains("1 created, 0 updated, 0 unchanged, 1 refused"),
        "{out}"
    );
    assert!(
        out.contains("Customers created for organisations no customer had: GLOBEX"),
        "{out}"
    );
    let written = std::fs::read_to_string(&report).expect("the report");
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "row,outcome,contact_id,customer,errors");
    assert!(lines[1].starts_with("1,created,"), "{written}");
    assert!(
        lines[2].starts_with("2,refused,,,\"organisation:"),
        "{written}"
    );

    let out = cli.ok(&["import", &path, "--match", "email"], None).await;
    assert!(
        out.contains("0 created, 0 updated, 1 unchanged, 1 refused"),
        "{out}"
    );
}

#[tokio::test]
async fn the_export_command_writes_what_the_import_command_reads() {
    let (cli, path) = cli_with("google.csv", GOOGLE).await;
    cli.ok(&["import", &path, "--match", "email"], None).await;
    let csv = cli.ok(&["export"], None).await;
    assert_eq!(
        csv.lines().next().unwrap(),
        rolodex_files::CSV_COLUMNS.join(",")
    );
    assert!(csv.contains("Hernandez"), "{csv}");
    let vcf = cli.dir().join("all.vcf");
    let vcf_arg = vcf.to_string_lossy().into_owned();
    cli.ok(&["export", "--format", "vcf", "--output", &vcf_arg], None)
        .await;
    let out = cli
        .ok(&["import", &vcf_arg, "--match", "email"], None)
        .await;
    assert!(out.contains("3 rows"), "{out}");
    assert!(out.contains("0 created, 0 updated, 3 unchanged"), "{out}");
    let lovelace = cli.ok(&["export", "--q", "lovelace"], None).await;
    assert_eq!(lovelace.lines().count(), 2, "{lovelace}");
    let err = cli.fails(&["export", "--sort", "height"], None).await;
    assert!(err.starts_with("error: "), "{err}");
}

#[tokio::test]
async fn the_import_command_refuses_a_file_that_is_not_contacts_in_one_line() {
    let (cli, path) = cli_with("photo.png", &crate::support::images::png(4, 4)).await;
    let err = cli.fails(&["import", &path], None).await;
    assert!(
        err.contains("is refused: the file is neither CSV nor vCard"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
