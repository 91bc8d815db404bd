"""The regent's three strategies, as set at the 2024 poverty-reduction evaluation meeting.

They are stored in Indonesian, the language they were set in, and loaded like the files in
data/: wording changed here reaches the database on the next load_bartim, wording an admin
edited in the application is kept while this text stays the same.
"""

from programs.models import Strategy
from reference.loading import Dataset, LoadResult, synchronize

STRATEGIES = {
    1: {
        "name": "Mengurangi beban pengeluaran",
        "description": (
            "Menekan pengeluaran rumah tangga miskin melalui layanan dasar yang terjangkau: "
            "pendidikan, kesehatan, dan bantuan sosial."
        ),
    },
    2: {
        "name": "Meningkatkan pendapatan",
        "description": (
            "Meningkatkan pendapatan masyarakat dengan mengoptimalkan dana desa dan dana "
            "kelurahan, mengembangkan usaha mikro, kecil, dan menengah, serta memperluas akses "
            "terhadap lapangan kerja."
        ),
    },
    3: {
        "name": "Meminimalkan wilayah kantong kemiskinan",
        "description": (
            "Mengurangi wilayah kantong kemiskinan melalui pendekatan berbasis keluarga yang "
            "meningkatkan kualitas hidup keluarga miskin."
        ),
    },
}


def load_strategies() -> LoadResult:
    return synchronize(
        Dataset(
            name="strategy",
            model=Strategy,
            # JSON object keys are strings.
            rows={str(number): values for number, values in STRATEGIES.items()},
            existing={str(obj.number): obj for obj in Strategy.objects.all()},
            new=lambda key: Strategy(number=int(key)),
            read=lambda obj: {"name": obj.name, "description": obj.description},
            write=setattr,
        )
    )
