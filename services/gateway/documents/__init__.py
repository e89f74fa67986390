"""The official documents as PDF (PermenPANRB 6/2022 and 14/2017): the SKP, the Dokumen
Evaluasi Kinerja Pegawai, a unit's Laporan SKM and the regency's annual report, each with a
verification QR that opens its status at ``/verifikasi/{token}``."""
