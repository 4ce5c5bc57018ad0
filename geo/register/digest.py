"""
Reminders and news for tandems: the weekly digest and notices when a concern's status changes.

The digest of a tandem holds its upcoming activities (`UPCOMING_DAYS`), the answers to its concerns since
the last digest it was sent (else the last seven days), and engagements ending soon. It is shown in the app
to the tandem and coordinators; when an SMTP server is configured (`SOZIALRAUM_SMTP_*`, see
`docs/betrieb.md`), `send_digests` mails it to each member with an account, one message per person (no one
sees another's address), and logs when it went. A concern's status change creates a `models.Notice` for
the tandem that logged it (in the same transaction); the app shows unseen notices, and `mail_notices` mails
them. Without a mail server everything but the sending works.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.core import i18n
from geo.core.access import AccessDeniedError, Action, Principal
from geo.core.errors import DataError, RegisterError
from geo.core.settings import env_number
from geo.core.tables import printable
from geo.register import models, partners
from geo.register.models import (
    Account,
    Activity,
    Concern,
    ConcernUpdate,
    Connector,
    DigestLog,
    Engagement,
    Notice,
    Tandem,
    TandemMember,
)
from geo.register.programme import NOTICE_DAYS
from geo.register.store import Register

UPCOMING_DAYS = 14
#: Without an earlier digest, answers of this many days count as new.
FIRST_DIGEST_DAYS = 7
#: How many of the group's open proposals a digest lists (the most supported).
GROUP_ITEMS = 5


class MailError(DataError):
    """The mail server could not be used (not configured, unreachable, refused)."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# --- mail settings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes out; from `SOZIALRAUM_SMTP_*`."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = field(default="", repr=False)
    security: str = "starttls"  # starttls | ssl | none


def mail_settings() -> MailSettings | None:
    """
    The SMTP settings from the environment, or None when no server is configured (`SOZIALRAUM_SMTP_HOST`).

    Raises
    ------
    MailError
        A host without a sender address, or an unknown `SOZIALRAUM_SMTP_SECURITY`.
    """
    host = os.environ.get("SOZIALRAUM_SMTP_HOST", "").strip()
    if not host:
        return None
    sender = os.environ.get("SOZIALRAUM_SMTP_FROM", "").strip()
    if "@" not in sender:
        raise MailError("mail.no_sender")
    security = os.environ.get("SOZIALRAUM_SMTP_SECURITY", "starttls").strip().lower()
    if security not in {"starttls", "ssl", "none"}:
        raise MailError("mail.bad_security", value=security)
    return MailSettings(
        host=host,
        port=int(env_number("SOZIALRAUM_SMTP_PORT")),
        sender=sender,
        user=os.environ.get("SOZIALRAUM_SMTP_USER", ""),
        password=os.environ.get("SOZIALRAUM_SMTP_PASSWORD", ""),
        security=security,
    )


def _send(settings: MailSettings, messages: list[EmailMessage]) -> None:
    """Send `messages` over one connection; any failure becomes one `MailError` sentence."""
    if not messages:
        return
    try:
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=20, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=20)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password)
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError("mail.failed", host=settings.host, reason=str(exc)[:200]) from exc


def header_text(text: str) -> str:
    """
    Text for a mail header: one line (line breaks become spaces), no control characters.

    A line break in a header would start a header of its own; Python's mail library refuses it.
    """
    return " ".join(printable(re.sub(r"[\r\n\u2028\u2029\x85]", " ", text)).split())


def _message(settings: MailSettings, to: str, subject: str, body: str, language: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("Sozialraum-Karte", settings.sender))
    message["To"] = to
    message["Subject"] = header_text(subject)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a digest
    message.set_content(body)
    message["Content-Language"] = language  # RFC 3282 (after set_content, which clears Content-* headers)
    return message


# --- the digest ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """What a tandem should know this week."""

    tandem_id: int
    tandem: str
    since: datetime
    today: date
    upcoming: pd.DataFrame  # id, starts_at, title, sozialraum_id, venue
    answers: pd.DataFrame  # concern_id, thema, status, comment, created_at, kind
    ending: tuple[tuple[int, str, date], ...]  # (connector_id, name or "", planned_end)
    #: Partners of the tandem not checked within `geo.register.partners.check_months()`: (id, name, last checked).
    stale: tuple[tuple[str, str, date | None], ...] = ()
    #: The group's open proposals for the next monthly meeting, most supported first: (title, supports).
    proposals: tuple[tuple[str, int], ...] = ()
    #: Open consultations of the city: (question, deadline).
    consultations: tuple[tuple[str, date], ...] = ()

    @property
    def empty(self) -> bool:
        """True when there is nothing to tell."""
        return (
            self.upcoming.empty
            and self.answers.empty
            and not self.ending
            and not self.stale
            and not self.proposals
            and not self.consultations
        )


def _group_news(s: Session, today: date) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, date], ...]]:
    """The open proposals (top `GROUP_ITEMS`, most supported first) and the open consultations."""
    from geo.register import decide  # noqa: PLC0415 - the group's tables, same layer

    open_ones = [(p.title, p.supports) for p in decide.open_proposals(s)]
    asked = [
        (c.question, c.deadline)
        for c in s.scalars(
            select(models.Consultation)
            .where(models.Consultation.closed_at.is_(None), models.Consultation.deadline >= today)
            .order_by(models.Consultation.deadline)
        )
    ]
    return tuple(open_ones[:GROUP_ITEMS]), tuple(asked)


def _last_digest(s: Session, tandem_id: int) -> datetime | None:
    return s.scalar(select(func.max(DigestLog.sent_at)).where(DigestLog.tandem_id == tandem_id))


def digest(register: Register, tandem_id: int, *, by: Principal, today: date | None = None) -> Digest:
    """The digest of `tandem_id` (its members and coordinators); engagement names only for whom may see them."""
    today = today or date.today()
    with register.read() as s:
        who = register.current(s, by)
        if not who.may(Action.READ_TANDEM_JOURNAL, tandem_id=tandem_id):
            raise AccessDeniedError("access.not_your_tandem")
        tandem = s.get(Tandem, tandem_id)
        if tandem is None:
            raise RegisterError("register.not_found", what=f"tandem {tandem_id}")
        since = _last_digest(s, tandem_id) or datetime.combine(
            today - timedelta(days=FIRST_DIGEST_DAYS), datetime.min.time()
        )
        start = datetime.combine(today, datetime.min.time())
        upcoming = [
            (a.id, a.starts_at, a.title, a.sozialraum_id, a.venue)
            for a in s.scalars(
                select(Activity)
                .where(Activity.tandem_id == tandem_id, Activity.status.in_(("idee", "geplant")))
                .where(
                    Activity.starts_at >= start,
                    Activity.starts_at < start + timedelta(days=UPCOMING_DAYS + 1),
                )
                .order_by(Activity.starts_at)
            )
        ]
        first = select(func.min(ConcernUpdate.id)).group_by(ConcernUpdate.concern_id)
        answers = [
            (c.id, c.thema, u.status, u.comment, u.created_at, u.kind)
            for u, c in s.execute(
                select(ConcernUpdate, Concern)
                .join(Concern, Concern.id == ConcernUpdate.concern_id)
                .where(Concern.tandem_id == tandem_id, ConcernUpdate.created_at > since)
                .where(ConcernUpdate.id.not_in(first))
                .order_by(ConcernUpdate.created_at, ConcernUpdate.id)
            )
        ]
        ending = []
        for member in tandem.members:
            engagement = s.get(Engagement, member.connector_id)
            person = s.get(Connector, member.connector_id)
            if engagement is None or engagement.planned_end is None or person is None or not person.active:
                continue
            if today <= engagement.planned_end <= today + timedelta(days=NOTICE_DAYS):
                seen = who.may(Action.READ_REGISTER) or who.connector_id == person.id
                ending.append((person.id, person.display_name if seen else "", engagement.planned_end))
        name = tandem.name
        proposals, consultations = _group_news(s, today)
    return Digest(
        tandem_id=tandem_id,
        tandem=name,
        since=since,
        today=today,
        upcoming=pd.DataFrame(upcoming, columns=["id", "starts_at", "title", "sozialraum_id", "venue"]),
        answers=pd.DataFrame(
            answers, columns=["concern_id", "thema", "status", "comment", "created_at", "kind"]
        ),
        ending=tuple(ending),
        stale=tuple(
            (p.id, p.name, p.assured_date)
            for p in partners.stale_partners(register, tandem_id, by=by, today=today)
        ),
        proposals=proposals,
        consultations=consultations,
    )


def render(
    d: Digest,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    for_connector: int | None = None,
    with_agenda: bool = False,
) -> tuple[str, str]:
    """
    The digest as an e-mail: subject and plain text.

    With `for_connector`, the engagement line names only that person's own end (each member gets their own
    message); without, ending engagements are counted.
    """

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    subject = t("digest.subject", tandem=d.tandem, date=i18n.format_date(d.today, lang))
    lines = [t("digest.hello", tandem=d.tandem), ""]
    lines.append(t("digest.upcoming", n=len(d.upcoming), days=UPCOMING_DAYS))
    lines += [
        f"- {i18n.format_date(r.starts_at.to_pydatetime(), lang, time=True)}: {r.title} (Sozialraum {r.sozialraum_id}"
        + (f", {r.venue})" if r.venue else ")")
        for r in d.upcoming.itertuples()
    ]
    lines += ["", t("digest.answers", n=len(d.answers), since=i18n.format_date(d.since, lang))]
    for r in d.answers.itertuples():
        kind = t("digest.decision") if r.kind == "beschluss" else t(f"concerns.status_{r.status}")
        lines.append(f"- #{r.concern_id} {r.thema}: {kind} – {r.comment}")
    if d.stale:
        lines += ["", t("digest.stale", n=len(d.stale), months=partners.check_months())]
        lines += [
            f"- {name} ({t('partners.checked_on', date=i18n.format_date(day, lang) if day else t('partners.never_checked'))})"
            for _id, name, day in d.stale
        ]
    if d.proposals:
        lines += ["", t("digest.proposals", n=len(d.proposals))]
        lines += [f"- {title} ({t('group.supports', n=n)})" for title, n in d.proposals]
        if with_agenda:
            lines.append(t("digest.agenda_attached"))
    if d.consultations:
        lines += ["", t("digest.consultations", n=len(d.consultations))]
        lines += [
            f"- {question} ({t('group.until', date=i18n.format_date(day, lang))})"
            for question, day in d.consultations
        ]
    own = [e for e in d.ending if for_connector is not None and e[0] == for_connector]
    if own:
        lines += ["", t("digest.your_end", date=i18n.format_date(own[0][2], lang))]
    elif d.ending and for_connector is None:
        lines += ["", t("digest.ending", n=len(d.ending))]
    lines += ["", t("digest.footer")]
    return subject, "\n".join(lines) + "\n"


def _recipients(s: Session, tandem_id: int) -> list[tuple[int, str, str | None]]:
    """
    (connector ID, e-mail, language) of the tandem's members with an enabled account, active and not erased.

    The language is the one the person chose in the app (None: not chosen; the sender's default applies).
    """
    query = (
        select(Connector.id, Account.email, Account.language)
        .join(TandemMember, TandemMember.connector_id == Connector.id)
        .join(Account, Account.connector_id == Connector.id)
        .where(TandemMember.tandem_id == tandem_id, Account.disabled.is_(False))
        .where(Connector.active.is_(True), Connector.erased_at.is_(None))
        .order_by(Connector.id, Account.id)
    )
    return [
        (int(cid), str(email), language if language in i18n.LANGUAGES else None)
        for cid, email, language in s.execute(query)
    ]


@dataclass(frozen=True)
class Sent:
    """What a sending run did."""

    messages: int
    tandems: int
    skipped: int  # tandems with nothing to tell or nobody to tell it to


#: The file name of the group's agenda attached to a digest.
AGENDA_FILE = "tagesordnung-gruppe.pdf"


def send_digests(
    register: Register,
    *,
    by: Principal,
    today: date | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    settings: MailSettings | None = None,
    agenda: Callable[[str], bytes] | None = None,
) -> Sent:
    """
    Mail every working tandem its digest (coordinators, the command line); log it per tandem.

    A tandem with nothing to tell, or without a member who has an account, is skipped. Logged only after
    the server accepted its messages, so a failed run sends those tandems again next time. Each person's
    message is in the language they chose in the app (`geo.register.accounts.set_language`); `lang` is for those
    who chose none. With `agenda` (the group's agenda as a PDF in a language, `geo.output.programme_pdfs.group_agenda`)
    a digest that lists open proposals carries the agenda for the next meeting, made once per language.
    """
    made: dict[str, bytes] = {}

    def agenda_in(language: str) -> bytes | None:
        if agenda is None:
            return None
        if language not in made:
            made[language] = agenda(language)
        return made[language]

    today = today or date.today()
    settings = settings or mail_settings()
    if settings is None:
        raise MailError("mail.not_configured")
    with register.read(by, Action.WRITE_REGISTER):
        pass
    sent = tandems = skipped = 0
    for view in register.tandems():
        if not view.active_on(today):
            continue
        d = digest(register, view.id, by=by, today=today)
        with register.read() as s:
            people = _recipients(s, view.id)
        if d.empty or not people:
            skipped += 1
            continue
        messages = []
        for connector_id, email, own_language in people:
            language = own_language or lang
            pdf = agenda_in(language) if d.proposals else None
            subject, body = render(d, language, for_connector=connector_id, with_agenda=pdf is not None)
            message = _message(settings, email, subject, body, language)
            if pdf is not None:
                message.add_attachment(pdf, maintype="application", subtype="pdf", filename=AGENDA_FILE)
            messages.append(message)
        _send(settings, messages)
        with register.write(
            by, Action.WRITE_REGISTER, "digest.send", target="tandem", target_id=view.id
        ) as tx:
            tx.session.add(DigestLog(tandem_id=view.id, sent_at=_now(), recipients=len(messages)))
            tx.details = {"recipients": len(messages)}
        sent += len(messages)
        tandems += 1
    return Sent(messages=sent, tandems=tandems, skipped=skipped)


# --- notices -------------------------------------------------------------------------------------------


def notices(register: Register, *, by: Principal, unseen: bool = True) -> pd.DataFrame:
    """
    Status changes of concerns logged by `by`'s tandems (coordinators: of every tandem), newest first.

    Columns `id`, `tandem_id`, `concern_id`, `thema`, `status`, `created_at`, `seen`.
    """
    with register.read() as s:
        who = register.current(s, by)
        query = (
            select(Notice, Concern.thema)
            .join(Concern, Concern.id == Notice.concern_id)
            .order_by(Notice.created_at.desc(), Notice.id.desc())
        )
        if not who.all_tandems():
            query = query.where(Notice.tandem_id.in_(sorted(who.tandem_ids) or [-1]))
        if unseen:
            query = query.where(Notice.seen_at.is_(None))
        rows = [
            (n.id, n.tandem_id, n.concern_id, thema, n.status, n.created_at, n.seen_at is not None)
            for n, thema in s.execute(query)
        ]
    return pd.DataFrame(
        rows, columns=["id", "tandem_id", "concern_id", "thema", "status", "created_at", "seen"]
    )


def mark_seen(register: Register, notice_ids: list[int], *, by: Principal) -> int:
    """Mark notices as read (a member of their tandem, or a coordinator); returns how many."""
    with register.write(by, Action.READ_PUBLIC, "notice.seen", target="notice") as tx:
        count = 0
        for notice in tx.session.scalars(select(Notice).where(Notice.id.in_(notice_ids))):
            tx.require(Action.READ_TANDEM_JOURNAL, tandem_id=notice.tandem_id)
            if notice.seen_at is None:
                notice.seen_at = _now()
                count += 1
        tx.details = {"count": count}
        return count


def mail_notices(
    register: Register,
    *,
    by: Principal,
    lang: str = i18n.DEFAULT_LANGUAGE,
    settings: MailSettings | None = None,
) -> int:
    """
    Mail every notice not yet mailed to its tandem's members (coordinators, the command line); returns messages sent.

    Each in the language its reader chose in the app; `lang` for those who chose none.
    """
    settings = settings or mail_settings()
    if settings is None:
        return 0
    with register.read(by, Action.ANSWER_CONCERN) as s:
        pending = [
            (n.id, n.tandem_id, n.concern_id, n.status, thema)
            for n, thema in s.execute(
                select(Notice, Concern.thema)
                .join(Concern, Concern.id == Notice.concern_id)
                .where(Notice.mailed_at.is_(None))
                .order_by(Notice.id)
            )
        ]
        people = {tandem: _recipients(s, tandem) for tandem in {p[1] for p in pending}}
        comments = {
            p[0]: s.scalars(
                select(ConcernUpdate.comment)
                .where(ConcernUpdate.concern_id == p[2], ConcernUpdate.kind == "status")
                .order_by(ConcernUpdate.id.desc())
            ).first()
            or ""
            for p in pending
        }
    messages, done = [], []
    for notice_id, tandem_id, concern_id, status, thema in pending:
        for _cid, email, own_language in people[tandem_id]:
            language = own_language or lang
            subject = i18n.translate("notice.subject", language, id=concern_id, thema=thema)
            body = i18n.translate(
                "notice.body",
                language,
                id=concern_id,
                thema=thema,
                status=i18n.translate(f"concerns.status_{status}", language),
                comment=comments[notice_id],
            )
            messages.append(_message(settings, email, subject, body + "\n", language))
        done.append(notice_id)
    _send(settings, messages)
    if done:
        with register.write(by, Action.ANSWER_CONCERN, "notice.mail", target="notice") as tx:
            for notice in tx.session.scalars(select(Notice).where(Notice.id.in_(done))):
                notice.mailed_at = _now()
            tx.details = {"notices": len(done), "messages": len(messages)}
    return len(messages)


def tell_tandems(register: Register, *, by: Principal, lang: str = i18n.DEFAULT_LANGUAGE) -> MailError | None:
    """
    After an answer: mail the pending notices when a mail server is configured.

    The answer is stored already; a mail server that fails is returned (to be shown as a warning), and the
    notices stay pending for the next run (`geo digest --send` or the next answer).
    """
    try:
        settings = mail_settings()
        if settings is not None:
            mail_notices(register, by=by, lang=lang, settings=settings)
    except MailError as exc:
        return exc
    return None
