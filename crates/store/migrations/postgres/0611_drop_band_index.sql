-- Every query filtering responses by band reads `responses_by_band_time` or
-- `responses_by_band_score`, which start with the band; the band's own index only made each
-- imported row one index write dearer.
DROP INDEX IF EXISTS responses_by_band;
