"""The units of logo kits and of certificates: their pages, JSON, QR codes and labels.

Pages are rendered on every core (:mod:`.pages`), then binary files (kits, QR codes, labels) are made
by :mod:`.workers`, in worker processes for large builds. A certificate's page and its files are
separate units: a change the label does not show (a test tool, a report) renders the page only.
"""

from __future__ import annotations

from ..model.records import Certificate
from ..model import addresses, serial
from ..outputs import certlog, logos
from . import pages, workers
from .registry import Build, Inputs, Output, declared, make
from .units import Units

#: a progress line every this many certificates
PROGRESS_EVERY = 500


def write(b: Build) -> None:
    """Every kit's files and page, every certificate's page, JSON and files."""
    _kits(b)
    _certificates(b)
    make(b, [CERTIFICATE_DATA])


def _kit_files_inputs(b: Build, kit: logos.Kit) -> dict:
    return {"kit": kit}


def _kit_page_inputs(b: Build, item) -> dict:
    kit, made = item
    return {"kit": kit, "members": kit.certificates, "made": made}


#: a kit's files (made by the workers: a unit of their own, whose meta the kit's page shows)
KIT_FILES = Output("kit-files", lambda b: b.kits, lambda kit: kit.slug, _kit_files_inputs, None)
#: a kit's page: made by _kits, each with the meta of its files' unit
KIT_PAGE = Output(
    "kit-page", lambda b: (), lambda item: item[0].slug, _kit_page_inputs,
    lambda units, i: units.page(f"logos/{i.kit.slug}/index.html", "logo_kit", kit=i.kit, files=i.made["files"],
                                zip_size=i.made["zip_size"], page_url=f"logos/{i.kit.slug}/"))


def _kits(b: Build) -> None:
    units = b.units
    keys = {kit.slug: declared(b, KIT_FILES, kit)[0] for kit in b.kits}
    kept = {kit.slug: b.plan.kept_unit(KIT_FILES.unit(kit), keys[kit.slug]) for kit in b.kits}
    todo = [kit for kit in b.kits if kept[kit.slug] is None]
    for kit, made in zip(todo, b.binaries.kits(todo, b.ctx.workers)):
        b.binaries.count(made)
        kept[kit.slug] = {"meta": units.render(KIT_FILES.unit(kit), keys[kit.slug],
                                               lambda: _kit_files(units, kit, made.files))}
    for kit in b.kits:
        item = (kit, kept[kit.slug]["meta"])
        page_key, inputs = declared(b, KIT_PAGE, item)
        units.unit(KIT_PAGE.unit(item), page_key, lambda inputs=inputs: KIT_PAGE.render(units, inputs))


def _kit_files(units: Units, kit: logos.Kit, files: dict[str, bytes]) -> dict:
    """A kit's files and zip; their names and the zip's size, for the kit's page."""
    archive = files.pop(workers.KIT_ZIP)
    for name, data in files.items():
        units.bytes(f"logos/{kit.slug}/{name}", data)
    units.bytes(f"logos/{kit.slug}.zip", archive)
    return {"files": sorted(files), "zip_size": len(archive)}


def _certificate_inputs(b: Build, cert: Certificate) -> dict:
    """What a certificate's page, JSON and log entry show: the record, its device (and the device's other
    certificates), its kit, the certificates it is a white label of or that are its white labels, its log
    entry and the log's key, its documents."""
    d = b.directory
    device = d.device_of[cert.id]
    index = b.log.index_of[cert.id]
    document = d.site_document(cert)
    issued = d.issued.get(cert.id, []) if not (cert.document and cert.document.file) else []
    return {
        "cert": cert, "device": device, "kit": logos.kit_of(b.kits, cert),
        "tested": d.by_id.get(cert.white_label_of) if cert.white_label_of else None,
        "white_labels": d.white_labels.get(cert.id, []),
        "log_index": index, "log_vkey": b.log_vkey,
        "document": document, "superseded": [(revision, path, sha) for revision, _, path, sha in issued[:-1]],
    }


#: a certificate's page (in every language) and its documents
CERTIFICATE = Output("certificate", lambda b: b.directory.certificates, lambda cert: cert.id, _certificate_inputs,
                     lambda units, i: certificate_page(units, i))


def _data(units: Units, i: Inputs) -> None:
    folder = i.cert.url.rstrip("/")
    units.bytes(f"{folder}/certificate.json", serial.certificate_json(i.cert))
    units.bytes(f"{folder}/log.json", certlog.entry_json(i.log_index, i.log_entry))


#: a certificate's open data: its record as JSON and its log entry (a change to its device's other
#: certificates renders its page again, not these)
CERTIFICATE_DATA = Output(
    "certificate-data", lambda b: b.directory.certificates, lambda cert: cert.id,
    lambda b, cert: {"cert": cert, "log_index": b.log.index_of[cert.id],
                     "log_entry": b.log.entries[b.log.index_of[cert.id]]},
    _data)

#: the units of a certificate's own files that the devserver writes at once when its record is saved
#: (:mod:`.resident`); its QR code and label follow with the build
OWN_FILES = (CERTIFICATE, CERTIFICATE_DATA)


def _files_inputs(b: Build, cert: Certificate) -> dict:
    return {"job": certificate_job(b, cert)}


#: a certificate's QR code and label (made by the workers from the job its inputs declare)
CERTIFICATE_FILES = Output("certificate-files", lambda b: b.directory.certificates, lambda cert: cert.id,
                           _files_inputs, None)


def certificate_job(b: Build, cert: Certificate) -> workers.Job:
    """What the workers make a certificate's QR code and label from."""
    ctx = b.ctx
    host = ctx.public_base.split("://", 1)[-1] + "/verify/"
    if ctx.qr_warning is not None:  # a development or staging build: every label says it is not for print
        host = logos.NOT_FOR_PRINT + ("staging site" if ctx.staging else "development build")
    kit = logos.kit_of(b.kits, cert)
    return workers.Job(cert.id, ctx.certificate_url(cert.id), tuple(kit.lines), host, cert.issued.isoformat())


def _certificates(b: Build) -> None:
    d, ctx, units, plan = b.directory, b.ctx, b.units, b.plan
    todo: dict[str, tuple[str, Inputs]] = {}  # certificate id -> its page's key and inputs
    jobs: list[tuple[workers.Job, str]] = []  # the files to make, and their key
    for cert in d.certificates:
        key, inputs = declared(b, CERTIFICATE, cert)
        if plan.kept_unit(CERTIFICATE.unit(cert), key) is None:
            todo[cert.id] = (key, inputs)
        files_key, files = declared(b, CERTIFICATE_FILES, cert)
        if plan.kept_unit(CERTIFICATE_FILES.unit(cert), files_key) is None:
            jobs.append((files.job, files_key))
    # The pages first, on every core (pipeline/pages.py); then the QR codes and labels, which the
    # workers make (or take from the renderings' cache) on every core too, written as they arrive.
    def report(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            ctx.report("certificate pages", done, total)

    pages.render(units, [(CERTIFICATE.unit(d.by_id[cid]), key, lambda inputs=inputs: CERTIFICATE.render(units, inputs))
                         for cid, (key, inputs) in todo.items()], ctx.workers, report)
    made_all = b.binaries.make([job for job, _ in jobs], ctx.workers)
    for done, ((job, files_key), made) in enumerate(zip(jobs, made_all), 1):
        b.binaries.count(made)
        cert = d.by_id[job.cert_id]
        units.render(CERTIFICATE_FILES.unit(cert), files_key, lambda: _certificate_files(units, cert, made.files))
        if done % PROGRESS_EVERY == 0 or done == len(jobs):
            ctx.report("QR codes and labels", done, len(jobs))


def _certificate_files(units: Units, cert: Certificate, binaries: dict[str, bytes]) -> None:
    """The certificate's QR code and label (made by :mod:`.workers`)."""
    for name, data in binaries.items():
        units.bytes(addresses.certificate(cert.id, name), data)


def certificate_page(units: Units, i: Inputs) -> None:
    """The certificate's page, and its documents where the record's folder holds them."""
    cert = i.cert
    folder = cert.url.rstrip("/")
    for revision, path, _ in i.superseded:  # the documents this directory issued and superseded
        units.bytes(f"{folder}/certificate.r{revision}.pdf", path.read_bytes())
    if i.document is not None:
        units.bytes(f"{folder}/certificate.pdf", i.document[0].read_bytes())
    units.page(
        f"{folder}/index.html",
        "certificate",
        cert=cert,
        device=i.device,
        version=i.program.rules_of(cert),
        laboratory=i.program.laboratories[cert.laboratory] if cert.laboratory else None,
        tested=i.tested,
        white_labels=i.white_labels,
        public_url=i.site.certificate_url(cert.id),
        kit=i.kit,
        qr_printable=i.site.qr_warning is None,
        document_url="certificate.pdf" if i.document else (cert.document.url if cert.document else None),
        document_sha256=i.document[1] if i.document else None,
        superseded=[(revision, f"certificate.r{revision}.pdf") for revision, *_ in i.superseded],
        log_index=i.log_index,
        log_vkey=i.log_vkey,
        page_url=f"{folder}/",
    )
