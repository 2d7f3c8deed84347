"""The units of logo kits and of certificates: their pages, JSON, QR codes and labels.

Binary files (kits, QR codes, labels) are made by :mod:`.workers`, in worker
processes for large builds; pages are rendered here meanwhile. A certificate's
page and its files are separate units: a change the label does not show (a
test tool, a report) renders the page only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine import incremental
from ..model import addresses
from ..model.records import Certificate
from ..outputs import certlog, exports, logos
from . import workers

if TYPE_CHECKING:
    from .generator import DirectoryGenerator

#: a progress line every this many certificates
PROGRESS_EVERY = 500


def write(gen: DirectoryGenerator, shared: str) -> None:
    """Every kit's files and page, every certificate's page, JSON and files."""
    _kits(gen, shared)
    _certificates(gen, shared)


def _kits(gen: DirectoryGenerator, shared: str) -> None:
    d, units = gen.directory, gen.units
    gen.kits = logos.kits(d.program, d.certificates)
    keys = {kit.slug: incremental.digest(shared, kit.slug, kit.title, kit.lines) for kit in gen.kits}
    kept = {kit.slug: gen.plan.kept_unit(f"kit-files:{kit.slug}", keys[kit.slug]) for kit in gen.kits}
    todo = [kit for kit in gen.kits if kept[kit.slug] is None]
    for kit, made in zip(todo, gen.binaries.kits(todo, gen.ctx.workers)):
        gen.binaries.count(made)
        kept[kit.slug] = {"meta": units.render(f"kit-files:{kit.slug}", keys[kit.slug],
                                               lambda: _kit_files(gen, kit, made.files))}
    for kit in gen.kits:
        made = kept[kit.slug]["meta"]
        members = [(c.id, d.digests[c.id]) for c in kit.certificates]
        units.unit(f"kit-page:{kit.slug}", incremental.digest(keys[kit.slug], members, made),
                   lambda kit=kit, made=made: units.page(
                       f"logos/{kit.slug}/index.html", "logo_kit", kit=kit, files=made["files"],
                       zip_size=made["zip_size"], page_url=f"logos/{kit.slug}/"))


def _kit_files(gen: DirectoryGenerator, kit: logos.Kit, files: dict[str, bytes]) -> dict:
    """A kit's files and zip; their names and the zip's size, for the kit's page."""
    archive = files.pop(workers.KIT_ZIP)
    for name, data in files.items():
        gen.units.bytes(f"logos/{kit.slug}/{name}", data)
    gen.units.bytes(f"logos/{kit.slug}.zip", archive)
    return {"files": sorted(files), "zip_size": len(archive)}


def _certificates(gen: DirectoryGenerator, shared: str) -> None:
    d, ctx, units, digests = gen.directory, gen.ctx, gen.units, gen.directory.digests
    host = ctx.public_base.split("://", 1)[-1] + "/verify/"
    if ctx.qr_warning is not None:  # a development or staging build: every label says it is not for print
        host = logos.NOT_FOR_PRINT + ("staging site" if ctx.staging else "development build")
    todo: dict[str, tuple[logos.Kit, str]] = {}  # certificate id -> its kit and its page's key
    jobs: list[tuple[workers.Job, str]] = []  # the files to make, and their key
    for cert in d.certificates:
        device = d.device_of[cert.id]
        kit = logos.kit_of(gen.kits, cert)
        related = [c.id for c in device.certificates]
        related += [cert.white_label_of] if cert.white_label_of else []
        related += [c.id for c in d.white_labels.get(cert.id, [])]
        index = gen.log.index_of[cert.id]
        key = incremental.digest(shared, digests[cert.id], device.url, device.vendor.url, kit.slug, kit.lines,
                                 [(i, digests[i]) for i in related], index, gen.log.entries[index], gen.log_vkey)
        if gen.plan.kept_unit(f"certificate:{cert.id}", key) is None:
            todo[cert.id] = (kit, key)
        job = workers.Job(cert.id, ctx.certificate_url(cert.id), tuple(kit.lines), host, cert.issued.isoformat())
        files_key = incremental.digest(shared, job)
        if gen.plan.kept_unit(f"certificate-files:{cert.id}", files_key) is None:
            jobs.append((job, files_key))
    made_all = gen.binaries.make([job for job, _ in jobs], ctx.workers)
    # Both lists are in the certificates' order: pages are rendered here while the workers make
    # the next certificates' files, which are written as they arrive.
    busy = len(todo.keys() | {job.cert_id for job, _ in jobs})
    waiting = iter(jobs)
    following = next(waiting, None)
    done = 0
    for cert in d.certificates:
        files_due = following is not None and following[0].cert_id == cert.id
        if files_due:
            made = next(made_all)
            gen.binaries.count(made)
            units.render(f"certificate-files:{cert.id}", following[1],
                         lambda: _certificate_files(gen, cert, made.files))
            following = next(waiting, None)
        if cert.id in todo:
            kit, key = todo[cert.id]
            units.render(f"certificate:{cert.id}", key, lambda: certificate_page(gen, cert, kit))
        if files_due or cert.id in todo:
            done += 1
            if done % PROGRESS_EVERY == 0 or done == busy:
                ctx.report("certificate pages", done, busy)
    # The loop asks made_all for nothing after the last job: close it, so that the workers exit
    # now instead of idling through the search index and the exports.
    made_all.close()


def _certificate_files(gen: DirectoryGenerator, cert: Certificate, binaries: dict[str, bytes]) -> None:
    """The certificate's QR code and label (made by :mod:`.workers`)."""
    for name, data in binaries.items():
        gen.units.bytes(addresses.certificate(cert.id, name), data)


def certificate_page(gen: DirectoryGenerator, cert: Certificate, kit: logos.Kit) -> None:
    """The certificate's page, JSON and log entry, and its document where the record's folder holds it."""
    d = gen.directory
    folder = cert.url.rstrip("/")
    document = d.site_document(cert)
    issued = d.issued.get(cert.id, []) if not (cert.document and cert.document.file) else []
    for revision, _, path, _ in issued[:-1]:  # the documents this directory issued and superseded
        gen.units.bytes(f"{folder}/certificate.r{revision}.pdf", path.read_bytes())
    if document is not None:
        gen.units.bytes(f"{folder}/certificate.pdf", document[0].read_bytes())
    gen.units.page(
        f"{folder}/index.html",
        "certificate",
        cert=cert,
        device=d.device_of[cert.id],
        version=d.program.rules_of(cert),
        laboratory=d.program.laboratories[cert.laboratory] if cert.laboratory else None,
        tested=d.by_id.get(cert.white_label_of) if cert.white_label_of else None,
        white_labels=d.white_labels.get(cert.id, []),
        public_url=gen.ctx.certificate_url(cert.id),
        kit=kit,
        qr_printable=gen.ctx.qr_warning is None,
        document_url="certificate.pdf" if document else (cert.document.url if cert.document else None),
        document_sha256=document[1] if document else None,
        superseded=[(revision, f"certificate.r{revision}.pdf") for revision, *_ in issued[:-1]],
        log_index=gen.log.index_of[cert.id],
        log_vkey=gen.log_vkey,
        page_url=f"{folder}/",
    )
    gen.units.bytes(f"{folder}/certificate.json", exports.certificate_json(cert))
    gen.units.bytes(f"{folder}/log.json", certlog.entry_file(gen.log, cert.id))
