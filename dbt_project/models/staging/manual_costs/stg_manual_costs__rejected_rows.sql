{{ rejected_file_rows('manual_costs') }}
