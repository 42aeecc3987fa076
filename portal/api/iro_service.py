"""Queries on the IRO service's own account (issue 19): the children's participation section of the IRO
managers' dashboard, and the annual report drafted from the data, as the document the page, the PDF and the
Word file are drawn from."""

from __future__ import annotations

from datetime import date

import strawberry

from models import ChildAttendance, ViewsConveyed
from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.errors import parse_id
from portal.dashboards import service as dashboards
from portal.dashboards.participation import Participation
from portal.reports import annual
from portal.reports.annual_document import Document, Section, annual_document


@object_type
class AttendanceCount:
    """How many reviews the child took part in one way."""

    attendance: ChildAttendance = field("The way.")
    reviews: int = field("How many reviews.")


@object_type
class ConveyedCount:
    """How many reviews the child's views reached one way."""

    conveyed: ViewsConveyed = field("The way.")
    reviews: int = field("How many reviews.")


@object_type
class ParticipationFigures:
    """The children's participation on the cases in your scope (issue 19): in the reviews held in the
    period, in the introductions of the IROs allocated to them in it, and in being told what the disputes
    resolved in it decided. Each figure drills down (dashboardCases, figure PARTICIPATION_...)."""

    reviews: int = field("Reviews held in the period (not those recorded from before the portal).")
    attendance: list[AttendanceCount] = field("Of them, how many the child took part in each way.")
    not_recorded: int = field("Of them, how many with no record of the child's participation.")
    conveyed: list[ConveyedCount] = field("Of them, how many the child's views reached each way.")
    allocations: int = field("IROs allocated to a child in the period.")
    introduced: int = field("Of them, how many recorded introducing themselves to the child.")
    not_introduced: int = field("Of them, how many did not.")
    advocacy: int = field("Of them, how many recorded telling the child they can have an advocate.")
    disputes_resolved: int = field("Disputes about a child's plan resolved in the period.")
    disputes_told: int = field("Of them, how many the IRO wrote up for the child: what was decided.")

    @staticmethod
    def of(found: Participation) -> ParticipationFigures:
        return ParticipationFigures(
            reviews=found.reviews,
            attendance=[AttendanceCount(attendance=how, reviews=n) for how, n in found.attendance],
            not_recorded=found.not_recorded,
            conveyed=[ConveyedCount(conveyed=how, reviews=n) for how, n in found.conveyed],
            allocations=found.allocations,
            introduced=found.introduced,
            not_introduced=found.not_introduced,
            advocacy=found.advocacy,
            disputes_resolved=found.disputes_resolved,
            disputes_told=found.disputes_told,
        )


@object_type
class ReportTable:
    """A table of a report: its caption, its columns' headings, and its rows, each a cell per column."""

    caption: str = field("What the table shows.")
    header: list[str] = field("The columns' headings.")
    rows: list[list[str]] = field("The rows, each a cell per column, as written.")


@object_type
class ReportSection:
    """A section of a report: its heading, its paragraphs and tables, and (where the IRO manager writes the
    narrative) what to cover."""

    heading: str = field("The section's heading.")
    paragraphs: list[str] = field("Its paragraphs, drafted from the data.")
    tables: list[ReportTable] = field("Its tables.")
    narrative: str = field("What the IRO manager is to write here; empty where nothing is.")

    @staticmethod
    def of(section: Section) -> ReportSection:
        return ReportSection(
            heading=section.heading,
            paragraphs=section.paragraphs,
            tables=[
                ReportTable(caption=t.caption, header=list(t.header), rows=[list(r) for r in t.rows])
                for t in section.tables
            ],
            narrative=section.narrative,
        )


@object_type
class AnnualReportDocument:
    """The IRO service's annual report for a reporting year (1 April to 31 March), drafted from the portal's
    data for the IRO manager to complete (IRO Handbook 2010 ch. 7): each figure the dashboard's for the same
    period. Also at ``pdfUrl`` (tagged PDF) and ``wordUrl`` (an editable Word document)."""

    year: int = field("The reporting year: the year of its 1 April.")
    start: date = field("Its first day.")
    end: date = field("Its last day.")
    drawn_on: date = field("The day it was drawn; before ``end``, the figures are to this day.")
    title: str = field("The report's title.")
    subtitle: str = field("The authority.")
    about: list[str] = field("What the report covers, and how it was drafted.")
    sections: list[ReportSection] = field("Its sections, in order.")
    pdf_url: str = field("The report as a tagged, accessible PDF.")
    word_url: str = field("The report as a Word document (.docx) to complete with narrative.")

    @staticmethod
    def of(report: annual.AnnualReport, document: Document) -> AnnualReportDocument:
        return AnnualReportDocument(
            year=report.year,
            start=report.start,
            end=report.end,
            drawn_on=report.drawn_on,
            title=document.title,
            subtitle=document.subtitle,
            about=document.about,
            sections=[ReportSection.of(s) for s in document.sections],
            pdf_url=f"/reports/annual/{report.year}.pdf",
            word_url=f"/reports/annual/{report.year}.docx",
        )


@object_type
class IroServiceQueries:
    """Reading the IRO service's own account (IRO managers)."""

    @resolver
    async def participation(self, info: Info, start: date, end: date) -> ParticipationFigures:
        """The children's participation on the cases in your scope, over the period (issue 19): for Cafcass
        and IRO managers, as the dashboards are; NOT_PERMITTED for anyone else."""
        actor = info.context.require_actor()
        today = info.context.today
        found = await info.context.uow.run(
            lambda s: dashboards.participation(s, actor, start=start, end=end, today=today)
        )
        return ParticipationFigures.of(found)

    @resolver
    async def annual_report(
        self, info: Info, year: int, local_authority_id: strawberry.ID | None = None
    ) -> AnnualReportDocument:
        """For an IRO manager: the annual report of your authority (``localAuthorityId``, if given, must be
        it) for the reporting year beginning on 1 April of ``year``, to today while it runs; a year before the
        protocol is OUT_OF_RANGE, one not yet begun DATE_IN_FUTURE. Anyone else: NOT_PERMITTED."""
        actor = info.context.require_actor()
        authority = parse_id(local_authority_id, "localAuthorityId") if local_authority_id else None
        today = info.context.today
        report = await info.context.uow.run(
            lambda s: annual.annual_report(s, actor, year, today, authority_id=authority)
        )
        return AnnualReportDocument.of(report, annual_document(report))
