//! A plot's object of the file, opened by its path.

use super::h5::reason;

/// An opened object of the file.
pub enum Object {
    Group(hdf5::Group),
    Dataset(hdf5::Dataset),
}

/// Opens `path` of `file` as a group or dataset, or says why it cannot be.
pub fn open_object(file: &hdf5::File, path: &str) -> Result<Object, String> {
    let group = file.group(path);
    if let Ok(g) = group {
        return Ok(Object::Group(g));
    }
    file.dataset(path)
        .map(Object::Dataset)
        .map_err(|dataset_error| {
            if path.contains(char::REPLACEMENT_CHARACTER) {
                return format!(
                    "{path}: the object's name is not valid UTF-8 and cannot be read; rename it"
                );
            }
            let group_error = group.err().map(|e| reason(&e)).unwrap_or_default();
            match file.loc_type_by_name(path) {
                Ok(hdf5::LocationType::Dataset) => {
                    format!("{path} could not be opened: {}", reason(&dataset_error))
                }
                Ok(hdf5::LocationType::Group) => {
                    format!("{path} could not be opened: {group_error}")
                }
                Ok(_) => format!("{path} is a committed datatype, not a dataset or group"),
                Err(e) => format!("{path} could not be opened: {}", reason(&e)),
            }
        })
}
