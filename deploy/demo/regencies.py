"""The demo's regencies. Another regency is another :class:`~deploy.demo.model.Place`
here: the plan gives each the same organisation (``org``) with its own names and people.
"""

from __future__ import annotations

from deploy.demo.model import Place

# fmt: off
REGENCIES = (
    Place(
        slug="bantul", name="Kabupaten Bantul", time_zone="Asia/Jakarta",
        kecamatan="Kecamatan Sewon", camat="Camat Sewon", kelurahan="Kelurahan Bangunharjo",
        male=("Budi", "Agus", "Bambang", "Joko", "Heru", "Wahyu", "Eko", "Slamet", "Teguh",
              "Yudi", "Rahmat", "Hadi", "Aris", "Sigit", "Bayu"),
        female=("Sri", "Endang", "Dewi", "Siti", "Retno", "Wulan", "Ratna", "Rina", "Yuni",
                "Dyah", "Sekar", "Ayu", "Lestari", "Nining", "Tutik"),
        family=("Santoso", "Wibowo", "Prasetyo", "Susanto", "Hidayat", "Nugroho", "Purnomo",
                "Rahayu", "Wahyuni", "Handayani", "Kurniawan", "Setiawan", "Saputra",
                "Susilowati", "Widodo", "Suryani", "Hartono", "Pratiwi", "Utami", "Mulyadi"),
        counter_surveys=(50, 10), mood=(0.45, 0.06),
    ),
    Place(
        slug="jayapura", name="Kabupaten Jayapura", time_zone="Asia/Jayapura",
        kecamatan="Distrik Sentani", camat="Kepala Distrik Sentani",
        kelurahan="Kelurahan Hinekombe",
        male=("Yohanis", "Markus", "Petrus", "Hendrik", "Demianus", "Frans", "Obeth", "Yakob",
              "Daniel", "Elias", "Benyamin", "Yulius", "Andi", "Ridwan", "Musa"),
        female=("Agustina", "Yuliana", "Ribka", "Martha", "Naomi", "Yakomina", "Selvina",
                "Maria", "Dorkas", "Ester", "Margaretha", "Susana", "Nurhayati", "Fitri",
                "Ruth"),
        family=("Yoku", "Ohee", "Wally", "Monim", "Pepuho", "Deda", "Marweri", "Hamadi",
                "Kaisiepo", "Rumbiak", "Suebu", "Sawaki", "Mandosir", "Tokoro", "Felle",
                "Modouw", "Pulalo", "Ongge", "Daimoi", "Taime"),
        counter_surveys=(20, 0), mood=(0.30, 0.12),
    ),
)
# fmt: on
