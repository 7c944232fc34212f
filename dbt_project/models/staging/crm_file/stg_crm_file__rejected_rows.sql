{{ rejected_file_rows('crm_file') }}
