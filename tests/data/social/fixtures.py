"""Hand-made highlights and digests for the social post tests (no highlighter involved)."""

from __future__ import annotations

from datetime import UTC, datetime

from recapmail.config import Config, NewsletterConfig, SocialConfig
from recapmail.model import (
    Article,
    Cluster,
    Digest,
    DigestItem,
    Figure,
    Highlights,
    Period,
)

WEEK = Period(
    start=datetime(2026, 11, 15, 23, 0, tzinfo=UTC),
    end=datetime(2026, 11, 22, 23, 0, tzinfo=UTC),
    label="2026-W47",
)


def config(**social: object) -> Config:
    values: dict[str, object] = {"hashtags": ("#OpenSource", "#CloudOuvert")}
    values.update(social)
    return Config(
        newsletter=NewsletterConfig(
            title="La veille infra ouverte", website_url="https://www.example.org/veille/"
        ),
        social=SocialConfig(**values),  # type: ignore[arg-type]
    )


def lyon_fr() -> Highlights:
    article = Article(
        source="recaps/2026-11-17-rencontres-cloud-lyon.md",
        body="",
        body_format="markdown",
        url="https://blog.example.org/2026/11/17/rencontres-cloud-lyon-migration-vmware",
        title="Rencontres Cloud Lyon 2026 : la sortie de VMware au centre des débats",
        published=datetime(2026, 11, 17, tzinfo=UTC),
        language="fr",
    )
    return Highlights(
        article=article,
        title=article.title or "",
        language="fr",
        summary=(
            "Les Rencontres Cloud Lyon ont accueilli 720 personnes venues de 12 pays les 12 et "
            "13 novembre. La migration hors de VMware a occupé la moitié du programme."
        ),
        highlights=(
            "Un hébergeur régional a basculé 2 100 machines virtuelles vers OpenStack en cinq "
            "mois et réduit ses coûts de licence de 35 %.",
            "Les collectivités présentes imposent désormais des logiciels libres dans leurs "
            "marchés publics.",
            "La fondation a promis un guide du cloud souverain pour le printemps 2027.",
            "Un opérateur pilote 300 GPU avec des outils entièrement libres.",
        ),
        figures=(
            Figure("720", 720.0, "participants", "…"),
            Figure("12", 12.0, "pays", "…"),
        ),
        keywords=("VMware", "OpenStack", "souveraineté numérique", "GPU"),
        hashtags=("#VMware", "#OpenStack", "#SouveraineteNumerique"),
    )


def kubecon_en() -> Highlights:
    article = Article(
        source="https://news.example.com/feed/kubecon-na-2026",
        body="",
        kind="feed",
        url="https://news.example.com/2026/11/kubecon-north-america-2026-what-we-learned?utm=x",
        title="KubeCon North America 2026: what we learned",
        language="en",
    )
    return Highlights(
        article=article,
        title=article.title or "",
        language="en",
        summary=(
            "KubeCon North America drew 9,500 attendees to Atlanta. Platform engineering and "
            "running AI inference on Kubernetes led the agenda."
        ),
        highlights=(
            "Dynamic Resource Allocation for GPUs reached general availability.",
            "Three keynotes covered software supply chain security.",
            "The CNCF counted 240 projects, 30 of them graduated.",
        ),
        figures=(Figure("9,500", 9500.0, "attendees", "…"),),
        keywords=("Kubernetes", "platform engineering", "AI inference"),
        hashtags=("#Kubernetes", "#PlatformEngineering", "#KubeCon"),
    )


def proxmox_fr() -> Highlights:
    article = Article(
        source="recaps/atelier-proxmox.html",
        body="",
        url="https://blog.example.org/atelier-proxmox",
        title="Atelier Proxmox VE : migrer un petit parc en une journée",
        language="fr",
    )
    return Highlights(
        article=article,
        title=article.title or "",
        language="fr",
        summary="Douze clients ont migré un parc de test vers Proxmox VE pendant notre atelier.",
        highlights=("La sauvegarde avec Proxmox Backup Server a été la partie la plus suivie.",),
        figures=(Figure("12", 12.0, "clients", "…"),),
        keywords=("Proxmox", "virtualisation"),
        hashtags=("#Proxmox", "#Virtualisation"),
    )


def lyon_cluster() -> tuple[Cluster, list[Highlights]]:
    first = lyon_fr()
    second_article = Article(
        source="https://partner.example.net/blog/lyon-cloud-days",
        body="",
        kind="feed",
        url="https://partner.example.net/blog/lyon-cloud-days",
        title="Lyon Cloud Days: leaving VMware",
        language="en",
    )
    second = Highlights(
        article=second_article,
        title="Lyon Cloud Days: leaving VMware",
        language="en",
        summary="Over 700 people met in Lyon to talk about leaving VMware.",
        highlights=("OpenStack was the most cited destination.",),
        figures=(Figure("700+", 700.0, "people", "…"),),
        hashtags=("#VMware", "#OpenStack"),
    )
    cluster = Cluster(
        id="rencontres-cloud-lyon-2026",
        title="Rencontres Cloud Lyon 2026",
        summary=first.summary,
        highlights=first.highlights,
        figures=first.figures,
        keywords=first.keywords,
        hashtags=first.hashtags,
        members=(first.article.source, second.article.source),
    )
    return cluster, [first, second]


def digest(count: int = 3) -> Digest:
    base = [lyon_fr(), kubecon_en(), proxmox_fr()]
    items = []
    for i in range(count):
        h = base[i % len(base)]
        if i >= len(base):
            article = Article(
                source=f"{h.article.source}-{i}",
                body="",
                url=f"https://blog.example.org/articles/{i}/a-long-path-for-item-{i}",
                title=f"{h.title} ({i})",
                language=h.language,
            )
            h = Highlights(
                article=article,
                title=article.title or "",
                language=h.language,
                summary=h.summary,
                highlights=h.highlights,
                figures=h.figures,
                keywords=h.keywords,
                hashtags=h.hashtags,
            )
        items.append(DigestItem(highlights=h))
    return Digest(period=WEEK, title="La veille infra ouverte", language="fr", items=tuple(items))
